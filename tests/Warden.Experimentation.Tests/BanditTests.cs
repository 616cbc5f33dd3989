using Warden.Experimentation.Analysis;
using Warden.Experimentation.Bandits;
using Warden.Experimentation.Numerics;
using Xunit.Abstractions;

namespace Warden.Experimentation.Tests;

/// <summary>Bandit policies in seeded simulations: regret against the Lai–Robbins bound, floors, LinUCB and batched allocation.</summary>
public sealed class BanditTests(ITestOutputHelper output)
{
    private static readonly double[] ArmMeans = [0.30, 0.25, 0.20];
    /// <summary>T = 20 000 by default; WARDEN_REGRET_HORIZON reruns the regret simulations at another horizon (docs/experimentation.md).</summary>
    private static readonly int Horizon = int.TryParse(Environment.GetEnvironmentVariable("WARDEN_REGRET_HORIZON"), out int h) && h >= 1000 ? h : 20_000;
    private const int Replications = 16;

    /// <summary>Lai and Robbins (1985): Σ over suboptimal arms of Δᵢ / KL(pᵢ ‖ p*), times ln T.</summary>
    private static double LaiRobbinsBound(double[] means, int horizon)
    {
        double best = means.Max();
        double constant = 0;
        foreach (double p in means)
        {
            if (p < best)
            {
                double kl = p * Math.Log(p / best) + (1 - p) * Math.Log((1 - p) / (1 - best));
                constant += (best - p) / kl;
            }
        }
        return constant * Math.Log(horizon);
    }

    /// <summary>Mean pseudo-regret Σ (μ* − μ_{aₜ}) over replications, after the first half and after the whole horizon.</summary>
    private (double FirstHalf, double Total) SimulateRegret(string name, Func<SeededRandom, IBanditPolicy> create)
    {
        double best = ArmMeans.Max();
        double firstHalf = 0;
        double total = 0;
        for (int r = 0; r < Replications; r++)
        {
            IBanditPolicy policy = create(new SeededRandom((ulong)(1000 + r)));
            var environment = new SeededRandom((ulong)(5000 + r));
            double regret = 0;
            for (int t = 0; t < Horizon; t++)
            {
                int arm = policy.SelectArm();
                regret += best - ArmMeans[arm];
                policy.Update(arm, environment.NextBernoulli(ArmMeans[arm]) ? 1 : 0);
                if (t == Horizon / 2 - 1)
                {
                    firstHalf += regret;
                }
            }
            total += regret;
        }
        firstHalf /= Replications;
        total /= Replications;
        double bound = LaiRobbinsBound(ArmMeans, Horizon);
        output.WriteLine($"{name}: T = {Horizon}, regret {total:F1} (first half {firstHalf:F1}, second half {total - firstHalf:F1}), " +
                         $"Lai–Robbins {bound:F1}, ratio {total / bound:F2}");
        return (firstHalf, total);
    }

    [Fact]
    public void Thompson_sampling_regret_is_sublinear_and_near_the_Lai_Robbins_bound()
    {
        double bound = LaiRobbinsBound(ArmMeans, Horizon);
        (double firstHalf, double total) = SimulateRegret("Thompson", random => new ThompsonBernoulli(ArmMeans.Length, random));
        double secondHalf = total - firstHalf;
        // Logarithmic growth: the second half of the horizon adds far less regret than the first.
        Assert.True(secondHalf < 0.5 * firstHalf, $"second half {secondHalf:F1} vs first half {firstHalf:F1}");
        // Within a generous constant factor of the asymptotic lower bound (observed: about 0.4 × at T = 20 000).
        Assert.True(total < 2 * bound, $"regret {total:F1} vs Lai–Robbins {bound:F1}");
        Assert.True(total > 0.1 * bound, $"regret {total:F1} is implausibly far below Lai–Robbins {bound:F1}");
    }

    [Fact]
    public void Ucb1_regret_is_sublinear_and_within_a_constant_factor_of_the_bound()
    {
        double bound = LaiRobbinsBound(ArmMeans, Horizon);
        (double firstHalf, double total) = SimulateRegret("UCB1", _ => new Ucb1(ArmMeans.Length));
        double secondHalf = total - firstHalf;
        Assert.True(secondHalf < 0.6 * firstHalf, $"second half {secondHalf:F1} vs first half {firstHalf:F1}");
        // UCB1's constant (8 / Δ) is far from optimal (observed: about 2 × the bound at T = 20 000).
        Assert.True(total < 6 * bound, $"regret {total:F1} vs Lai–Robbins {bound:F1}");
        Assert.True(total > bound, "UCB1 should not beat the asymptotic bound at this horizon");
    }

    [Fact]
    public void Epsilon_greedy_with_fixed_epsilon_has_linear_regret()
    {
        const double Epsilon = 0.1;
        (double firstHalf, double total) = SimulateRegret("epsilon-greedy", random => new EpsilonGreedy(ArmMeans.Length, Epsilon, random));
        double secondHalf = total - firstHalf;
        double best = ArmMeans.Max();
        // Forced exploration alone costs ε × (mean gap over arms) per decision, for ever.
        double explorationRate = Epsilon * ArmMeans.Average(p => best - p);
        Assert.True(secondHalf >= 0.9 * explorationRate * Horizon / 2, $"second half {secondHalf:F1}");
        (double thompsonFirst, double thompsonTotal) = SimulateRegret("Thompson", random => new ThompsonBernoulli(ArmMeans.Length, random));
        Assert.True(secondHalf > 5 * (thompsonTotal - thompsonFirst), "ε-greedy keeps paying while Thompson sampling has converged");
    }

    [Fact]
    public void Thompson_gaussian_concentrates_on_the_best_arm()
    {
        double[] means = [1.0, 1.2, 0.9];
        var policy = new ThompsonGaussian(means.Length, new SeededRandom(3));
        var environment = new SeededRandom(4);
        int bestPullsLate = 0;
        for (int t = 0; t < 6000; t++)
        {
            int arm = policy.SelectArm();
            policy.Update(arm, environment.NextNormal(means[arm], 1));
            if (t >= 3000 && arm == 1)
            {
                bestPullsLate++;
            }
        }
        Assert.True(bestPullsLate > 0.85 * 3000, $"best arm played {bestPullsLate} of the last 3000 times");
        (double mean, double variance) = policy.Posterior(1);
        Assert.InRange(mean, 1.2 - 5 * Math.Sqrt(variance), 1.2 + 5 * Math.Sqrt(variance));
    }

    [Fact]
    public void Traffic_floor_guarantees_every_arm_its_minimum_share()
    {
        var floored = new TrafficFloorPolicy(new AlwaysFirstArm(4), 0.05, new SeededRandom(11));
        var counts = new int[4];
        const int Decisions = 40_000;
        for (int t = 0; t < Decisions; t++)
        {
            counts[floored.SelectArm()]++;
        }
        for (int arm = 1; arm < 4; arm++)
        {
            // Expected 2000 each; 5 standard deviations is about 220.
            Assert.InRange(counts[arm], 1_780, 2_220);
        }
        Assert.InRange(counts[0], 33_400, 34_600);
    }

    [Fact]
    public void LinUcb_Sherman_Morrison_inverse_matches_direct_inversion()
    {
        const int Dimension = 6;
        var model = new LinUcb(armCount: 2, Dimension, alpha: 0.5, ridge: 2.0);
        var random = new SeededRandom(21);
        double[,] design = new double[Dimension, Dimension];
        double[] b = new double[Dimension];
        for (int i = 0; i < Dimension; i++)
        {
            design[i, i] = 2.0;
        }
        var x = new double[Dimension];
        for (int t = 0; t < 2000; t++)
        {
            for (int i = 0; i < Dimension; i++)
            {
                x[i] = random.NextNormal();
            }
            double reward = random.NextNormal(0.3 * x[0] - 0.7 * x[3], 0.1);
            model.Update(0, x, reward);
            for (int i = 0; i < Dimension; i++)
            {
                b[i] += reward * x[i];
                for (int j = 0; j < Dimension; j++)
                {
                    design[i, j] += x[i] * x[j];
                }
            }
        }
        double[,] inverse = Invert(design);
        double[] fromModel = model.InverseDesignMatrix(0);
        double[] theta = model.Coefficients(0);
        for (int i = 0; i < Dimension; i++)
        {
            double expectedTheta = 0;
            for (int j = 0; j < Dimension; j++)
            {
                Fixtures.Near(inverse[i, j], fromModel[i * Dimension + j], 1e-8, 1e-12, $"A⁻¹[{i},{j}]");
                expectedTheta += inverse[i, j] * b[j];
            }
            Fixtures.Near(expectedTheta, theta[i], 1e-8, 1e-12, $"θ[{i}]");
        }
        // Ridge regression on 2000 points recovers the coefficients.
        Assert.InRange(theta[0], 0.29, 0.31);
        Assert.InRange(theta[3], -0.71, -0.69);
        // The untouched arm still has A⁻¹ = I/λ.
        Assert.Equal(0.5, model.InverseDesignMatrix(1)[0]);
    }

    [Fact]
    public void LinUcb_learns_a_contextual_policy_far_better_than_random()
    {
        const int Arms = 4;
        const int Dimension = 5;
        var truth = new SeededRandom(31);
        double[][] coefficients = Enumerable.Range(0, Arms)
            .Select(_ => Enumerable.Range(0, Dimension).Select(_ => truth.NextNormal()).ToArray())
            .ToArray();
        var model = new LinUcb(Arms, Dimension, alpha: 1.0);
        var environment = new SeededRandom(32);
        var context = new double[Dimension];
        double linUcbRegret = 0;
        double randomRegret = 0;
        for (int t = 0; t < 4000; t++)
        {
            for (int i = 0; i < Dimension; i++)
            {
                context[i] = environment.NextNormal();
            }
            double[] expected = coefficients.Select(c => c.Zip(context, (a, x) => a * x).Sum()).ToArray();
            int arm = model.SelectArm(context);
            model.Update(arm, context, environment.NextNormal(expected[arm], 0.5));
            if (t >= 3000)
            {
                linUcbRegret += expected.Max() - expected[arm];
                randomRegret += expected.Max() - expected.Average();
            }
        }
        Assert.True(linUcbRegret < 0.1 * randomRegret, $"LinUCB regret {linUcbRegret:F1} vs random {randomRegret:F1}");
    }

    [Fact]
    public void Period_weighting_removes_the_bias_of_pooling_when_weights_and_the_baseline_change_together()
    {
        // Both arms convert at 10% in period 1 and 20% in period 2 (no real difference), but the allocation moved
        // from 90/10 to 10/90. Pooling credits arm 1 with period 2's better baseline.
        IReadOnlyList<IReadOnlyList<MeanStatistic>> periods =
        [
            [Bernoulli(9_000, 900), Bernoulli(1_000, 100)],
            [Bernoulli(1_000, 200), Bernoulli(9_000, 1_800)],
        ];
        double pooled0 = (900.0 + 200) / 10_000;
        double pooled1 = (100.0 + 1_800) / 10_000;
        Assert.True(pooled1 - pooled0 > 0.07, "pooling is biased");

        (double[] means, double[] errors) = BanditAllocator.PeriodWeightedEstimates(periods, 2);
        Fixtures.Near(means[0], means[1], 1e-12, 1e-15, "period-weighted means are equal");
        Assert.True(errors[0] > 0 && errors[1] > 0);

        BanditAllocation allocation = BanditAllocator.Compute(periods, new BanditAllocationOptions(), new SeededRandom(5));
        Assert.InRange(allocation.ProbabilityBest[0], 0.45, 0.55);
    }

    [Fact]
    public void Allocation_favours_the_better_arm_but_respects_the_floor()
    {
        IReadOnlyList<IReadOnlyList<MeanStatistic>> periods =
        [
            [Bernoulli(3_000, 300), Bernoulli(3_000, 360), Bernoulli(3_000, 240)],
            [Bernoulli(2_000, 210), Bernoulli(5_000, 620), Bernoulli(1_000, 80)],
        ];
        var options = new BanditAllocationOptions { MinimumWeight = 0.05 };
        BanditAllocation first = BanditAllocator.Compute(periods, options, new SeededRandom(9));
        BanditAllocation again = BanditAllocator.Compute(periods, options, new SeededRandom(9));
        Assert.Equal(first.Weights, again.Weights); // seeded, so reproducible
        Assert.Equal(1.0, first.Weights.Sum(), 12);
        Assert.All(first.Weights, w => Assert.True(w >= 0.05 - 1e-12));
        Assert.True(first.Weights[1] > 0.85, $"best arm weight {first.Weights[1]}");
    }

    [Fact]
    public void Floor_redistributes_proportionally()
    {
        double[] weights = BanditAllocator.ApplyFloor([0.97, 0.02, 0.01, 0], 0.05);
        Assert.Equal([0.85, 0.05, 0.05, 0.05], weights.Select(w => Math.Round(w, 12)));
        double[] untouched = BanditAllocator.ApplyFloor([0.4, 0.35, 0.25], 0.05);
        Assert.Equal([0.4, 0.35, 0.25], untouched.Select(w => Math.Round(w, 12)));
    }

    private static MeanStatistic Bernoulli(long n, long successes) => new(n, successes, successes);

    private static double[,] Invert(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var inverse = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            inverse[i, i] = 1;
        }
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++)
            {
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = r;
                }
            }
            for (int k = 0; k < n; k++)
            {
                (a[col, k], a[pivot, k]) = (a[pivot, k], a[col, k]);
                (inverse[col, k], inverse[pivot, k]) = (inverse[pivot, k], inverse[col, k]);
            }
            double diagonal = a[col, col];
            for (int k = 0; k < n; k++)
            {
                a[col, k] /= diagonal;
                inverse[col, k] /= diagonal;
            }
            for (int r = 0; r < n; r++)
            {
                if (r == col)
                {
                    continue;
                }
                double factor = a[r, col];
                for (int k = 0; k < n; k++)
                {
                    a[r, k] -= factor * a[col, k];
                    inverse[r, k] -= factor * inverse[col, k];
                }
            }
        }
        return inverse;
    }

    private sealed class AlwaysFirstArm(int armCount) : IBanditPolicy
    {
        public int ArmCount => armCount;

        public int SelectArm() => 0;

        public void Update(int arm, double reward)
        {
        }
    }
}
