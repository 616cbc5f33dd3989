using Warden.Statistics.Drift;

namespace Warden.Statistics.RootCause;

/// <summary>One feature's share in a drift alert.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="Method">The drift test or distance that produced the statistic.</param>
/// <param name="Statistic">The test statistic or distance.</param>
/// <param name="PValue">The p-value of a p-value test; null for distances.</param>
/// <param name="Threshold">The test's threshold.</param>
/// <param name="Drifted">The test's verdict.</param>
/// <param name="NormalizedDrift">The drift on a scale shared by all tests, where 1 is the threshold (see
/// <see cref="DriftAttribution.NormalizedDrift"/>).</param>
/// <param name="Importance">The importance supplied by the caller.</param>
/// <param name="ImportanceShare">Importance / the sum of the importances ranked (0 when that sum is 0).</param>
/// <param name="Score">NormalizedDrift × Importance: the ranking key.</param>
/// <param name="ScoreShare">Score / the sum of the scores (0 when that sum is 0).</param>
public sealed record FeatureAttribution(
    string Feature,
    DriftMethod Method,
    double Statistic,
    double? PValue,
    double Threshold,
    bool Drifted,
    double NormalizedDrift,
    double Importance,
    double ImportanceShare,
    double Score,
    double ScoreShare);

/// <summary>
/// Ranks the features of a drift alert by how much their drift is likely to matter to the model: normalised drift ×
/// importance. A large shift in a feature the model ignores ranks below a moderate shift in one it leans on.
/// </summary>
/// <remarks>
/// <para>Normalisation puts every test on one scale on which 1 means "at the threshold" and larger means more drift:
/// for distances (Wasserstein, normed Wasserstein, Jensen–Shannon, PSI, Hellinger) statistic / threshold; for p-value
/// tests (KS, chi-squared, z) ln p / ln α with α the threshold, i.e. the surprise −ln p in units of the threshold's
/// surprise — p = α gives 1, p = α² gives 2. p-values are floored at the smallest positive double (4.9e-324), so a
/// p-value that underflowed to 0 still gets a finite score (about 248 at α = 0.05).</para>
/// <para>Importance is the caller's: e.g. |coefficient| × the reference's standard deviation for a linear model
/// (<see cref="CoefficientImportance"/>), or permutation importance. Only its relative size matters to the ranking.</para>
/// </remarks>
public static class DriftAttribution
{
    /// <summary>The drift of a result on the shared scale where 1 is the threshold.</summary>
    /// <param name="result">A feature's drift result.</param>
    /// <returns>statistic / threshold for distances, ln p / ln threshold for p-value tests.</returns>
    public static double NormalizedDrift(FeatureDriftResult result)
    {
        if (DriftDefaults.IsPValueTest(result.Method))
        {
            if (result.PValue is not { } p || !(result.Threshold > 0 && result.Threshold < 1))
            {
                throw new ArgumentException($"Feature '{result.Feature}': a p-value test needs its p-value and a threshold in (0, 1).", nameof(result));
            }

            return Math.Log(Math.Max(p, double.Epsilon)) / Math.Log(result.Threshold);
        }

        if (!(result.Threshold > 0) || !double.IsFinite(result.Statistic))
        {
            throw new ArgumentException($"Feature '{result.Feature}': a distance needs a finite statistic and a positive threshold.", nameof(result));
        }

        return result.Statistic / result.Threshold;
    }

    /// <summary>The importance of a linear model's feature: |coefficient| × the reference's standard deviation, the
    /// change in the linear predictor for a one-standard-deviation change in the feature.</summary>
    /// <param name="coefficient">The model's coefficient of the feature.</param>
    /// <param name="referenceStandardDeviation">The feature's standard deviation in the reference data.</param>
    /// <returns>The importance, ≥ 0.</returns>
    public static double CoefficientImportance(double coefficient, double referenceStandardDeviation) =>
        Math.Abs(coefficient) * Math.Abs(referenceStandardDeviation);

    /// <summary>Ranks features by normalised drift × importance, highest first (ties: higher drift, then name).</summary>
    /// <param name="drift">The features' drift results.</param>
    /// <param name="importance">Every feature's importance (finite, ≥ 0).</param>
    /// <returns>The ranked features with the numbers used.</returns>
    public static IReadOnlyList<FeatureAttribution> Rank(IEnumerable<FeatureDriftResult> drift, IReadOnlyDictionary<string, double> importance)
    {
        var results = drift.ToList();
        var missing = results.Where(r => !importance.ContainsKey(r.Feature)).Select(r => r.Feature).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"No importance for feature(s) {string.Join(", ", missing)}; give 0 to rank a feature last.", nameof(importance));
        }

        foreach (var r in results)
        {
            var value = importance[r.Feature];
            if (!(value >= 0) || double.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(nameof(importance), value, $"The importance of '{r.Feature}' must be finite and non-negative.");
            }
        }

        var scored = results.Select(r => (Result: r, Drift: NormalizedDrift(r), Importance: importance[r.Feature])).ToList();
        var totalImportance = scored.Sum(s => s.Importance);
        var totalScore = scored.Sum(s => s.Drift * s.Importance);
        return scored
            .Select(s => new FeatureAttribution(
                s.Result.Feature, s.Result.Method, s.Result.Statistic, s.Result.PValue, s.Result.Threshold, s.Result.Drifted,
                s.Drift, s.Importance, totalImportance > 0 ? s.Importance / totalImportance : 0,
                s.Drift * s.Importance, totalScore > 0 ? s.Drift * s.Importance / totalScore : 0))
            .OrderByDescending(a => a.Score)
            .ThenByDescending(a => a.NormalizedDrift)
            .ThenBy(a => a.Feature, StringComparer.Ordinal)
            .ToList();
    }
}
