using System.Text.Json;

namespace Warden.Contracts;

/// <summary>One event of <c>POST /api/v1/events</c>: a prediction made elsewhere (so Warden can monitor models it does not
/// serve) or feedback — the ground truth or outcome of an earlier prediction, arriving minutes to weeks later.</summary>
/// <param name="Type">"prediction" or "feedback".</param>
/// <param name="EventId">Idempotency key: an event id seen before is acknowledged again but stored once. Generated when absent.</param>
/// <param name="Model">The model (required for predictions; for feedback it narrows the join).</param>
/// <param name="Version">Predictions: the version that produced it.</param>
/// <param name="At">When it happened (default: when received).</param>
/// <param name="RequestId">Feedback: the request id of the prediction it labels. Predictions: the caller's request id.</param>
/// <param name="EntityId">The caller's entity or unit id; feedback by entity id labels that entity's latest prediction before it.</param>
/// <param name="Inputs">Predictions: the features by name.</param>
/// <param name="Prediction">Predictions: the score (probability of the positive class for classifiers, the value for regressors).</param>
/// <param name="Label">Feedback: the ground truth (0/1 for classifiers, the value for regressors).</param>
/// <param name="Values">Feedback: named outcomes (conversion, revenue …) for experiments and business metrics.</param>
public sealed record IngestEvent(
    string Type,
    string? EventId = null,
    string? Model = null,
    int? Version = null,
    DateTimeOffset? At = null,
    string? RequestId = null,
    string? EntityId = null,
    IReadOnlyDictionary<string, JsonElement>? Inputs = null,
    double? Prediction = null,
    double? Label = null,
    IReadOnlyDictionary<string, double>? Values = null);

/// <summary>The answer to an ingest batch: what was acknowledged (durably stored or already stored) and what was refused.</summary>
public sealed record IngestResult(int Accepted, int Duplicates, IReadOnlyList<IngestRejection> Rejected);

/// <summary>One refused event of a batch: its position (0-based line or array index) and why.</summary>
public sealed record IngestRejection(int Index, string Field, string Message);

/// <summary>A feedback event as stored: the outcome of an earlier prediction.</summary>
public sealed record FeedbackEvent(
    string EventId,
    DateTimeOffset At,
    string? Model,
    string? RequestId,
    string? EntityId,
    double? Label,
    IReadOnlyDictionary<string, double>? Values);

/// <summary>Performance of one window of predictions, from the labels that have arrived so far.</summary>
/// <param name="WindowStart">Start of the window (inclusive).</param>
/// <param name="WindowEnd">End of the window (exclusive).</param>
/// <param name="Predictions">Predictions made in the window.</param>
/// <param name="Labelled">Of those, how many have received a label.</param>
/// <param name="LabelCoverage">Labelled / predictions.</param>
/// <param name="Metrics">Classification: accuracy, precision, recall, f1, roc_auc, log_loss, brier, ece; regression: mae, rmse, mape, r2.
/// Null where undefined (e.g. precision with no predicted positive).</param>
/// <param name="Exact">False when ROC AUC came from the binned scores (see <paramref name="RocAucErrorBound"/>).</param>
/// <param name="RocAucErrorBound">Largest possible difference of the reported ROC AUC from the exact one.</param>
public sealed record PerformanceWindow(DateTimeOffset WindowStart, DateTimeOffset WindowEnd, long Predictions, long Labelled, double LabelCoverage,
    IReadOnlyDictionary<string, double?> Metrics, bool Exact, double? RocAucErrorBound);

/// <summary>Performance per window of a version, oldest first, with the label join's state.</summary>
public sealed record PerformanceReport(string Model, int Version, string Task, IReadOnlyList<PerformanceWindow> Windows, long UnmatchedFeedback);

/// <summary>A schema violation of posted events in a window: a field of the wrong type, unknown to the signature, or missing.</summary>
public sealed record SchemaViolation(string Field, string Kind, long Count, IReadOnlyList<string> Examples);

/// <summary>One group of a sensitive attribute in a window.</summary>
/// <param name="Group">The group (a value, or a bucket such as "&lt;25").</param>
/// <param name="Count">Predictions in the group.</param>
/// <param name="Labelled">Of those, labelled ones.</param>
/// <param name="SelectionRate">Share predicted positive.</param>
/// <param name="TruePositiveRate">TP / (TP + FN) of the labelled ones; null without labelled positives.</param>
/// <param name="FalsePositiveRate">FP / (FP + TN); null without labelled negatives.</param>
/// <param name="Judged">False for groups under the minimum size: reported, not judged.</param>
public sealed record FairnessGroup(string Group, long Count, long Labelled, double SelectionRate, double? TruePositiveRate, double? FalsePositiveRate, bool Judged);

/// <summary>Fairness of one sensitive attribute in a window (Fairlearn and AIF360 definitions).</summary>
/// <param name="Attribute">The sensitive attribute.</param>
/// <param name="Groups">Every group, judged or not.</param>
/// <param name="DemographicParityDifference">max − min selection rate of the judged groups.</param>
/// <param name="DemographicParityRatio">min / max selection rate.</param>
/// <param name="EqualOpportunityDifference">max − min TPR.</param>
/// <param name="EqualizedOddsDifference">max of the TPR and FPR differences.</param>
/// <param name="DisparateImpact">Lowest selection rate / highest.</param>
/// <param name="FailsFourFifthsRule">DisparateImpact &lt; 0.8.</param>
public sealed record AttributeFairness(string Attribute, IReadOnlyList<FairnessGroup> Groups, double? DemographicParityDifference, double? DemographicParityRatio,
    double? EqualOpportunityDifference, double? EqualizedOddsDifference, double? DisparateImpact, bool? FailsFourFifthsRule);

/// <summary>Fairness per window of a version, oldest first.</summary>
public sealed record FairnessWindow(DateTimeOffset WindowStart, DateTimeOffset WindowEnd, IReadOnlyList<AttributeFairness> Attributes);

/// <summary>Fairness of a version's live traffic per window, with the minimum group size used.</summary>
public sealed record FairnessTimeline(string Model, int Version, int MinimumGroupSize, IReadOnlyList<FairnessWindow> Windows);
