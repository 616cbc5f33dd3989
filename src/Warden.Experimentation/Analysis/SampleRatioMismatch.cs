using Warden.Experimentation.Numerics;

namespace Warden.Experimentation.Analysis;

/// <summary>The result of a sample ratio mismatch check.</summary>
/// <param name="ChiSquared">Pearson's statistic Σ (observed − expected)² / expected.</param>
/// <param name="DegreesOfFreedom">Arms − 1.</param>
/// <param name="PValue">P(χ² ≥ statistic).</param>
/// <param name="IsMismatch">Whether the p-value is below the threshold: the split is broken and the results should not be trusted.</param>
public sealed record SrmResult(double ChiSquared, int DegreesOfFreedom, double PValue, bool IsMismatch);

/// <summary>
/// Sample ratio mismatch (SRM): a chi-squared goodness-of-fit test of the observed units per arm against the
/// configured weights (scipy.stats.chisquare; gbstats' check_srm). A tiny p-value means assignment or logging is
/// broken — for example a variation that crashes before it logs — which biases every metric.
/// </summary>
public static class SampleRatioMismatch
{
    /// <summary>The conventional threshold: flag at p &lt; 0.001, so that checking many experiments rarely cries wolf.</summary>
    public const double DefaultThreshold = 0.001;

    /// <summary>Tests observed counts against weights (normalised to sum to 1; all must be positive).</summary>
    public static SrmResult Test(IReadOnlyList<long> observed, IReadOnlyList<double> weights, double threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(weights);
        if (observed.Count != weights.Count || observed.Count < 2)
        {
            throw new ArgumentException("Give one weight per arm, and at least two arms.", nameof(weights));
        }
        double totalWeight = 0;
        long total = 0;
        for (int i = 0; i < observed.Count; i++)
        {
            if (!(weights[i] > 0))
            {
                throw new ArgumentOutOfRangeException(nameof(weights), weights[i], "Weights must be positive.");
            }
            ArgumentOutOfRangeException.ThrowIfNegative(observed[i]);
            totalWeight += weights[i];
            total += observed[i];
        }
        int dof = observed.Count - 1;
        if (total == 0)
        {
            return new SrmResult(0, dof, 1, false);
        }
        double statistic = 0;
        for (int i = 0; i < observed.Count; i++)
        {
            double expected = weights[i] / totalWeight * total;
            double deviation = observed[i] - expected;
            statistic += deviation * deviation / expected;
        }
        double p = ChiSquared.Sf(statistic, dof);
        return new SrmResult(statistic, dof, p, p < threshold);
    }
}
