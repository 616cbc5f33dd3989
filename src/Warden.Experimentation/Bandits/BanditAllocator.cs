using Warden.Experimentation.Analysis;
using Warden.Experimentation.Numerics;

namespace Warden.Experimentation.Bandits;

/// <summary>Options of <see cref="BanditAllocator"/>.</summary>
public sealed record BanditAllocationOptions
{
    /// <summary>Minimum traffic weight per arm (0.01 by default); K × floor must not exceed 1.</summary>
    public double MinimumWeight { get; init; } = 0.01;

    /// <summary>Monte Carlo draws used to estimate each arm's probability of being best.</summary>
    public int Draws { get; init; } = 10_000;

    /// <summary>True when lower is better.</summary>
    public bool Inverse { get; init; }
}

/// <summary>A recomputed allocation.</summary>
/// <param name="Weights">New traffic weights (sum 1, each at least the floor).</param>
/// <param name="ProbabilityBest">Posterior probability that each arm is best (Thompson's allocation before the floor).</param>
/// <param name="Means">Period-weighted mean per arm.</param>
/// <param name="StandardErrors">Standard error of each period-weighted mean.</param>
public sealed record BanditAllocation(
    IReadOnlyList<double> Weights,
    IReadOnlyList<double> ProbabilityBest,
    IReadOnlyList<double> Means,
    IReadOnlyList<double> StandardErrors);

/// <summary>
/// Batched Thompson allocation for experiments served through assignment weights (GrowthBook-style bandits): on a
/// cadence (say hourly or daily) the server passes per-period, per-arm sufficient statistics and receives new weights
/// proportional to each arm's posterior probability of being best, with a minimum floor per arm.
/// </summary>
/// <remarks>
/// <para><b>Why period weighting.</b> When weights change between periods and the metric drifts over time (weekday
/// effects, a campaign), pooling all units per arm is biased: an arm that received most of its traffic in a good period
/// looks better than it is (Simpson's paradox), and the bandit feeds on its own bias. Instead each arm's estimate is
/// m_a = Σ_t w_t ȳ_{a,t} / Σ_t w_t over the periods where the arm had traffic, with the same period weights
/// w_t = N_t / N (the period's share of all traffic) for every arm. A time effect δ_t then shifts every arm by the same
/// Σ w_t δ_t, so differences between arms are unbiased whatever the allocation was. The variance is
/// Σ w_t² s_a² / n_{a,t} / (Σ w_t)², with s_a² the arm's pooled within-period variance.</para>
/// <para>Each arm's mean is modelled as N(m_a, se_a²); P(best) is estimated from <see cref="BanditAllocationOptions.Draws"/>
/// joint draws with the caller's seeded random source, so a recomputation is reproducible.</para>
/// </remarks>
public static class BanditAllocator
{
    /// <summary>Computes new weights from <paramref name="periods"/>[period][arm] statistics.</summary>
    public static BanditAllocation Compute(IReadOnlyList<IReadOnlyList<MeanStatistic>> periods, BanditAllocationOptions options, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(periods);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        if (periods.Count == 0)
        {
            throw new ArgumentException("At least one period is needed.", nameof(periods));
        }
        int arms = periods[0].Count;
        ArgumentOutOfRangeException.ThrowIfLessThan(arms, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Draws);
        if (!(options.MinimumWeight >= 0 && options.MinimumWeight * arms <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MinimumWeight, "The floor must be non-negative and at most 1/K.");
        }
        (double[] means, double[] errors) = PeriodWeightedEstimates(periods, arms);
        double[] probabilityBest = ProbabilityBest(means, errors, options.Draws, options.Inverse, random);
        double[] weights = ApplyFloor(probabilityBest, options.MinimumWeight);
        return new BanditAllocation(weights, probabilityBest, means, errors);
    }

    /// <summary>Period-weighted mean and standard error per arm (see the class remarks).</summary>
    public static (double[] Means, double[] StandardErrors) PeriodWeightedEstimates(IReadOnlyList<IReadOnlyList<MeanStatistic>> periods, int arms)
    {
        ArgumentNullException.ThrowIfNull(periods);
        double grandTotal = 0;
        var periodTotals = new double[periods.Count];
        for (int t = 0; t < periods.Count; t++)
        {
            if (periods[t].Count != arms)
            {
                throw new ArgumentException("Every period must list every arm.", nameof(periods));
            }
            foreach (MeanStatistic s in periods[t])
            {
                periodTotals[t] += s.N;
            }
            grandTotal += periodTotals[t];
        }
        var means = new double[arms];
        var errors = new double[arms];
        for (int a = 0; a < arms; a++)
        {
            // Pooled within-period variance of the arm.
            double within = 0;
            long withinDof = 0;
            for (int t = 0; t < periods.Count; t++)
            {
                MeanStatistic s = periods[t][a];
                if (s.N >= 2)
                {
                    within += s.Variance * (s.N - 1);
                    withinDof += s.N - 1;
                }
            }
            double variance = withinDof > 0 ? within / withinDof : double.NaN;
            double weightSum = 0;
            double weightedMean = 0;
            double weightedVariance = 0;
            for (int t = 0; t < periods.Count; t++)
            {
                MeanStatistic s = periods[t][a];
                if (s.N == 0 || grandTotal == 0)
                {
                    continue;
                }
                double w = periodTotals[t] / grandTotal;
                weightSum += w;
                weightedMean += w * s.Mean;
                weightedVariance += w * w * variance / s.N;
            }
            means[a] = weightSum > 0 ? weightedMean / weightSum : double.NaN;
            errors[a] = weightSum > 0 ? Math.Sqrt(weightedVariance) / weightSum : double.NaN;
        }
        return (means, errors);
    }

    /// <summary>Weights at least <paramref name="floor"/> each, otherwise proportional to <paramref name="shares"/>, summing to 1.</summary>
    public static double[] ApplyFloor(IReadOnlyList<double> shares, double floor)
    {
        ArgumentNullException.ThrowIfNull(shares);
        int k = shares.Count;
        var weights = new double[k];
        var floored = new bool[k];
        while (true)
        {
            int flooredCount = 0;
            double freeShare = 0;
            for (int i = 0; i < k; i++)
            {
                if (floored[i])
                {
                    flooredCount++;
                }
                else
                {
                    freeShare += shares[i];
                }
            }
            double remaining = 1 - floor * flooredCount;
            bool changed = false;
            for (int i = 0; i < k; i++)
            {
                if (floored[i])
                {
                    weights[i] = floor;
                    continue;
                }
                weights[i] = freeShare > 0 ? shares[i] / freeShare * remaining : remaining / (k - flooredCount);
                if (weights[i] < floor)
                {
                    floored[i] = true;
                    changed = true;
                }
            }
            if (!changed)
            {
                return weights;
            }
        }
    }

    private static double[] ProbabilityBest(double[] means, double[] errors, int draws, bool inverse, SeededRandom random)
    {
        int arms = means.Length;
        var wins = new double[arms];
        for (int draw = 0; draw < draws; draw++)
        {
            int best = -1;
            double bestValue = double.NegativeInfinity;
            for (int a = 0; a < arms; a++)
            {
                if (double.IsNaN(means[a]))
                {
                    continue;
                }
                double sd = double.IsNaN(errors[a]) ? 0 : errors[a];
                double value = random.NextNormal(means[a], sd);
                if (inverse)
                {
                    value = -value;
                }
                if (value > bestValue)
                {
                    bestValue = value;
                    best = a;
                }
            }
            if (best >= 0)
            {
                wins[best]++;
            }
        }
        double total = 0;
        foreach (double w in wins)
        {
            total += w;
        }
        for (int a = 0; a < arms; a++)
        {
            wins[a] = total > 0 ? wins[a] / total : 1.0 / arms;
        }
        return wins;
    }
}
