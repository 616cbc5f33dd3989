namespace Warden.Contracts;

/// <summary>One record's prediction.</summary>
/// <param name="Prediction">The predicted class (classifiers: true when the probability is at least 0.5) or value (regressors).</param>
/// <param name="Probability">Classifiers: the probability of the positive class.</param>
public sealed record RecordPrediction(object Prediction, double? Probability);

/// <summary>The answer of <c>POST /api/v1/predict/{model}</c>.</summary>
/// <param name="Model">The model.</param>
/// <param name="Version">The version that produced the predictions.</param>
/// <param name="Alias">The alias it was reached through.</param>
/// <param name="RequestId">The request id (also in X-Request-Id and the stored event).</param>
/// <param name="Predictions">One per record, in order.</param>
public sealed record PredictionResponse(string Model, int Version, string Alias, string RequestId, IReadOnlyList<RecordPrediction> Predictions);

/// <summary>One weighted route of a traffic policy.</summary>
/// <param name="Alias">The stage alias (champion, challenger …).</param>
/// <param name="Weight">Relative share of traffic (any non-negative numbers; they are normalised).</param>
public sealed record TrafficRoute(string Alias, double Weight);

/// <summary>How traffic to a model splits between aliases (canary) and which aliases receive shadow copies.
/// Requests that carry a unit id are routed stickily by a hash of (model, unit id).</summary>
public sealed record TrafficPolicy(IReadOnlyList<TrafficRoute> Routes, IReadOnlyList<string>? Shadows = null)
{
    /// <summary>All traffic to champion, no shadows.</summary>
    public static TrafficPolicy Default { get; } = new([new TrafficRoute("champion", 100)], []);
}

/// <summary>A loaded route: which version answers for (model, alias).</summary>
public sealed record DeploymentInfo(string Model, string Alias, int Version, string Format, int Features);

/// <summary>One feature's drift between the reference and a window.</summary>
public sealed record FeatureDrift(string Feature, string Kind, string Method, double Statistic, double? PValue, double Threshold, bool Drifted,
    string Mode, double? ErrorBound, long ReferenceCount, long WindowCount);

/// <summary>A drift report: a window of traffic against the version's reference profile, drifted features first.</summary>
public sealed record DriftReport(string Model, int Version, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, long Predictions, long ReferenceRows,
    bool DatasetDrift, double DriftShare, IReadOnlyList<FeatureDrift> Features, FeatureDrift? PredictionDrift = null, MultivariateDrift? Multivariate = null)
{
    /// <summary>The segment reported (feature=value), when the report is of one segment.</summary>
    public string? Segment { get; init; }

    /// <summary>The segments profiled in the window, when the report is of one segment.</summary>
    public IReadOnlyList<string>? Segments { get; init; }
}

/// <summary>Multivariate drift by PCA reconstruction error (NannyML's method): the window's mean error of reconstructing the
/// standardised numeric features from the reference's principal components, against thresholds from reference chunks.
/// It catches a change in how features relate to each other that no single feature's test sees.</summary>
public sealed record MultivariateDrift(string Method, double ReconstructionError, double LowerThreshold, double UpperThreshold, bool Drifted, long Rows,
    int Components, double ExplainedVariance);

/// <summary>Data quality of one feature in a window, against the reference: missing values, values outside the reference's
/// range (numeric) and categories the reference never saw (categorical). Examples pass through the version's privacy field
/// policy. <c>Issues</c> lists what crossed a threshold, in words; empty means the feature looks healthy.</summary>
public sealed record FeatureQuality(string Feature, string Kind, long Rows, long Missing, double MissingShare, double ReferenceMissingShare,
    long? BelowRange, long? AboveRange, bool Exact, long? UnseenRows, int? UnseenCategories, IReadOnlyList<string> Examples, IReadOnlyList<string> Issues);

/// <summary>A data-quality report: one window of traffic against the version's reference, features with issues first.</summary>
public sealed record DataQualityReport(string Model, int Version, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, long Predictions,
    int FeaturesWithIssues, IReadOnlyList<FeatureQuality> Features, IReadOnlyList<SchemaViolation>? Violations = null);

/// <summary>One window of live traffic kept for a monitored version.</summary>
public sealed record TrafficWindow(DateTimeOffset Start, DateTimeOffset End, long Predictions);

/// <summary>A monitored version: its reference (if any) and the windows of traffic kept in memory, oldest first.</summary>
public sealed record MonitoredVersion(string Model, int Version, long? ReferenceRows, IReadOnlyList<TrafficWindow> Windows);

/// <summary>A stored reference profile.</summary>
public sealed record ReferenceProfileInfo(string Model, int Version, long Rows, IReadOnlyList<string> Features, DateTimeOffset CreatedAt);
