namespace Warden.Statistics.Drift;

/// <summary>The kind of a feature, which decides the tests that apply to it.</summary>
public enum FeatureKind
{
    /// <summary>Real-valued.</summary>
    Numeric,

    /// <summary>A label from a finite set.</summary>
    Categorical,
}

/// <summary>A univariate drift test or distance.</summary>
public enum DriftMethod
{
    /// <summary>Two-sample Kolmogorov–Smirnov test (p-value; numeric).</summary>
    KolmogorovSmirnov,

    /// <summary>Chi-squared goodness of fit against the reference proportions (p-value).</summary>
    ChiSquared,

    /// <summary>Two-proportion z-test for a binary feature (p-value).</summary>
    ZTest,

    /// <summary>Wasserstein-1 distance in the data's units (numeric).</summary>
    Wasserstein,

    /// <summary>Wasserstein-1 distance divided by the reference's standard deviation (numeric).</summary>
    WassersteinNormed,

    /// <summary>Jensen–Shannon distance between cell proportions.</summary>
    JensenShannon,

    /// <summary>Population stability index between cell proportions.</summary>
    PopulationStabilityIndex,

    /// <summary>Hellinger distance between cell proportions.</summary>
    Hellinger,
}

/// <summary>Whether a result was computed from raw samples or from profiles.</summary>
public enum DriftMode
{
    /// <summary>From raw samples.</summary>
    Exact,

    /// <summary>From mergeable profiles (sketches and histograms).</summary>
    Sketch,
}

/// <summary>Per-feature settings; every property is optional.</summary>
public sealed record FeatureDriftOptions
{
    /// <summary>The method; null lets <see cref="DriftDefaults.ChooseMethod"/> choose.</summary>
    public DriftMethod? Method { get; init; }

    /// <summary>The threshold; null uses <see cref="DriftDefaults.Threshold"/> for the method.</summary>
    public double? Threshold { get; init; }

    /// <summary>Bins for binned measures on a numeric feature in exact mode (reference quantiles).</summary>
    public int Bins { get; init; } = Drift.BinEdges.DefaultBins;

    /// <summary>Explicit bin edges for binned measures on a numeric feature (exact mode bins raw values on them;
    /// sketch mode requires the profiles' histograms to use exactly these edges).</summary>
    public IReadOnlyList<double>? BinEdges { get; init; }

    /// <summary>The logarithm base of the Jensen–Shannon distance; null for natural logarithms.</summary>
    public double? JensenShannonBase { get; init; }

    /// <summary>Failure probability of each KLL sketch's bound in sketch mode.</summary>
    public double SketchDelta { get; init; } = 1e-3;
}

/// <summary>The drift verdict for one feature.</summary>
/// <param name="Feature">The feature's name.</param>
/// <param name="Kind">Numeric or categorical.</param>
/// <param name="Method">The test or distance used.</param>
/// <param name="Statistic">The test statistic or distance (for the z-test, z).</param>
/// <param name="PValue">The p-value for KS, chi-squared and z; null for distances.</param>
/// <param name="Threshold">For p-value tests drift means p &lt; threshold; for distances, statistic ≥ threshold.</param>
/// <param name="Drifted">The verdict.</param>
/// <param name="Mode">Raw samples or profiles.</param>
/// <param name="ErrorBound">In sketch mode, |Statistic - exact statistic| ≤ ErrorBound with probability at least
/// <paramref name="Confidence"/>; 0 in exact mode and when the profiles hold the exact cells; null when no bound is
/// known (chi-squared, z and PSI on categorical sketches that have lost categories to "other").</param>
/// <param name="Confidence">The probability that <paramref name="ErrorBound"/> holds.</param>
public sealed record FeatureDriftResult(
    string Feature,
    FeatureKind Kind,
    DriftMethod Method,
    double Statistic,
    double? PValue,
    double Threshold,
    bool Drifted,
    DriftMode Mode,
    double? ErrorBound,
    double Confidence);

/// <summary>The dataset-level verdict: drift when the share of drifted features reaches the threshold.</summary>
/// <param name="Features">The per-feature results.</param>
/// <param name="DriftedFeatures">How many drifted.</param>
/// <param name="DriftShare">DriftedFeatures / number of features (0 with no features).</param>
/// <param name="ShareThreshold">The share at or above which the dataset has drifted.</param>
/// <param name="Drifted">DriftShare ≥ ShareThreshold (false with no features).</param>
public sealed record DatasetDriftResult(
    IReadOnlyList<FeatureDriftResult> Features,
    int DriftedFeatures,
    double DriftShare,
    double ShareThreshold,
    bool Drifted);

/// <summary>
/// The default choice of test, by feature kind and reference size, as Evidently chooses it: with a reference of at
/// most 1,000 rows, KS for a numeric feature with more than 5 distinct values, otherwise chi-squared with more than 2
/// categories or the z-test for a binary one; with a larger reference, the normed Wasserstein distance (threshold
/// 0.1) for numeric features with more than 5 distinct values and the Jensen–Shannon distance (threshold 0.1)
/// otherwise. Distinct values are counted over reference and current together. Numeric features with at most 5
/// distinct values are compared value by value, like categories.
/// </summary>
public static class DriftDefaults
{
    /// <summary>References with at most this many rows get statistical tests; larger ones get distances.</summary>
    public const long SmallReferenceRows = 1000;

    /// <summary>Numeric features with at most this many distinct values are treated as categorical.</summary>
    public const int LowCardinality = 5;

    /// <summary>The default threshold of the p-value tests (drift when p &lt; 0.05).</summary>
    public const double PValueThreshold = 0.05;

    /// <summary>The default threshold of the distances (drift when distance ≥ 0.1).</summary>
    public const double DistanceThreshold = 0.1;

    /// <summary>The default share of drifted features at which a dataset has drifted.</summary>
    public const double DatasetDriftShare = 0.5;

    /// <summary>Chooses the default method.</summary>
    /// <param name="kind">The feature's kind.</param>
    /// <param name="referenceRows">Rows in the reference (missing values included).</param>
    /// <param name="distinctValues">Distinct non-missing values in reference and current together.</param>
    /// <returns>The method.</returns>
    public static DriftMethod ChooseMethod(FeatureKind kind, long referenceRows, long distinctValues)
    {
        var continuous = kind == FeatureKind.Numeric && distinctValues > LowCardinality;
        if (referenceRows <= SmallReferenceRows)
        {
            if (continuous)
            {
                return DriftMethod.KolmogorovSmirnov;
            }

            return distinctValues > 2 ? DriftMethod.ChiSquared : DriftMethod.ZTest;
        }

        return continuous ? DriftMethod.WassersteinNormed : DriftMethod.JensenShannon;
    }

    /// <summary>The default threshold of a method: 0.05 for p-value tests, 0.1 for distances.</summary>
    /// <param name="method">The method.</param>
    /// <returns>The threshold.</returns>
    public static double Threshold(DriftMethod method) => IsPValueTest(method) ? PValueThreshold : DistanceThreshold;

    /// <summary>Whether the method's verdict compares a p-value (KS, chi-squared, z) rather than a distance.</summary>
    /// <param name="method">The method.</param>
    /// <returns>True for p-value tests.</returns>
    public static bool IsPValueTest(DriftMethod method) =>
        method is DriftMethod.KolmogorovSmirnov or DriftMethod.ChiSquared or DriftMethod.ZTest;
}
