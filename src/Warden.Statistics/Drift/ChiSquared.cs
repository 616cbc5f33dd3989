using Warden.Numerics;
using Warden.Statistics.Internal;

namespace Warden.Statistics.Drift;

/// <summary>The result of a chi-squared goodness-of-fit test.</summary>
/// <param name="Statistic">Σ (o - e)² / e (+∞ when a category absent from the reference is observed).</param>
/// <param name="PValue">Pr(χ²_df ≥ statistic).</param>
/// <param name="DegreesOfFreedom">The number of categories compared minus one.</param>
public sealed record ChiSquaredResult(double Statistic, double PValue, int DegreesOfFreedom);

/// <summary>
/// Pearson's chi-squared goodness-of-fit test of current counts against the reference's proportions, matching
/// <c>scipy.stats.chisquare(f_obs=current, f_exp=reference / Σreference · Σcurrent)</c>: the expected counts are the
/// reference proportions rescaled to the observed total (which SciPy requires; Evidently's unscaled variant is not
/// reproduced).
/// </summary>
/// <remarks>
/// Categories that are empty on both sides are left out (they carry no information, and SciPy would return NaN).
/// A category observed now but never in the reference has expected count 0: the statistic is +∞ and the p-value 0,
/// as in SciPy — a new category is drift. Degrees of freedom: categories compared minus one.
/// </remarks>
public static class ChiSquared
{
    /// <summary>Runs the test.</summary>
    /// <param name="current">Observed counts per category (non-negative, positive total).</param>
    /// <param name="reference">Reference counts over the same categories (non-negative, positive total).</param>
    /// <returns>The statistic, p-value and degrees of freedom.</returns>
    public static ChiSquaredResult Test(ReadOnlySpan<double> current, ReadOnlySpan<double> reference)
    {
        var (currentTotal, referenceTotal) = Distributions.Totals(current, reference);
        var statistic = 0.0;
        var categories = 0;
        for (var i = 0; i < current.Length; i++)
        {
            if (current[i] == 0 && reference[i] == 0)
            {
                continue;
            }

            categories++;
            var expected = reference[i] / referenceTotal * currentTotal;
            var difference = current[i] - expected;
            statistic += difference * difference / expected;
        }

        if (categories < 2)
        {
            // One category: the distributions are identical by construction.
            return new ChiSquaredResult(0.0, 1.0, 0);
        }

        var degrees = categories - 1;
        var p = double.IsPositiveInfinity(statistic) ? 0.0 : SpecialFunctions.ChiSquaredSf(statistic, degrees);
        return new ChiSquaredResult(statistic, p, degrees);
    }
}

/// <summary>The result of a two-proportion z-test.</summary>
/// <param name="Z">(p₁ - p₂) / √(P(1 - P)(1/n₁ + 1/n₂)) with the pooled proportion P.</param>
/// <param name="PValue">Two-sided: 2 (1 - Φ(|z|)), computed as erfc(|z|/√2) so that small p-values keep their digits.</param>
public sealed record ZTestResult(double Z, double PValue);

/// <summary>
/// The two-proportion z-test for a binary feature (as Evidently's z_stat_test): under the null hypothesis both
/// samples share one proportion, estimated by pooling, P = (x₁ + x₂)/(n₁ + n₂), so the variance of p₁ - p₂ is
/// P(1 - P)(1/n₁ + 1/n₂). When P is 0 or 1 both samples are constant and equal: z = 0 and p = 1.
/// </summary>
public static class TwoProportionZTest
{
    /// <summary>Runs the test.</summary>
    /// <param name="successes1">Occurrences of the chosen value in the first sample.</param>
    /// <param name="n1">The first sample's size.</param>
    /// <param name="successes2">Occurrences of the chosen value in the second sample.</param>
    /// <param name="n2">The second sample's size.</param>
    /// <returns>z and the two-sided p-value (the same whichever of the two values is chosen).</returns>
    public static ZTestResult Test(double successes1, double n1, double successes2, double n2)
    {
        if (!(n1 > 0) || !(n2 > 0) || !(successes1 >= 0 && successes1 <= n1) || !(successes2 >= 0 && successes2 <= n2))
        {
            throw new ArgumentException("Each sample needs a positive size and a success count between 0 and that size.");
        }

        var p1 = successes1 / n1;
        var p2 = successes2 / n2;
        var pooled = (successes1 + successes2) / (n1 + n2);
        var variance = pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2);
        if (!(variance > 0))
        {
            return new ZTestResult(0.0, 1.0);
        }

        var z = (p1 - p2) / Math.Sqrt(variance);
        return new ZTestResult(z, Math.Min(1.0, 2.0 * SpecialFunctions.NormalSf(Math.Abs(z))));
    }
}
