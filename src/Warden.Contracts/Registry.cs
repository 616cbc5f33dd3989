namespace Warden.Contracts;

/// <summary>A declared sensitive attribute for fairness checks. Categorical attributes group by value;
/// numeric ones by the given bin edges (e.g. Age with [25] groups "&lt; 25" and "≥ 25").</summary>
public sealed record SensitiveAttribute(string Name, IReadOnlyList<double>? Bins = null);

/// <summary>A validation metric the model must meet before approval, e.g. roc_auc ≥ 0.75.</summary>
public sealed record MetricThreshold(string Metric, double? Min = null, double? Max = null);

/// <summary>Registers a model.</summary>
/// <param name="Name">Unique name: 3–64 of a–z, 0–9, '-', '_' and '.', starting with a letter.</param>
/// <param name="Owner">Accountable owner (a person or team).</param>
/// <param name="Description">What the model does.</param>
/// <param name="BusinessPurpose">Why the business uses it.</param>
/// <param name="RiskTier">1 (high), 2 or 3 (low): decides the approval policy and review period.</param>
/// <param name="Task">binary_classification or regression.</param>
/// <param name="SensitiveAttributes">Attributes whose groups are compared for fairness.</param>
/// <param name="Tags">Free labels for search.</param>
/// <param name="MetricThresholds">Validation metrics the model must meet.</param>
public sealed record CreateModelRequest(
    string Name,
    string Owner,
    int RiskTier,
    string? Description = null,
    string? BusinessPurpose = null,
    string Task = ModelTasks.BinaryClassification,
    IReadOnlyList<SensitiveAttribute>? SensitiveAttributes = null,
    IReadOnlyList<string>? Tags = null,
    IReadOnlyList<MetricThreshold>? MetricThresholds = null);

/// <summary>Changes a model's descriptive fields; null leaves a field as it is.</summary>
public sealed record UpdateModelRequest(
    string? Owner = null,
    string? Description = null,
    string? BusinessPurpose = null,
    int? RiskTier = null,
    IReadOnlyList<SensitiveAttribute>? SensitiveAttributes = null,
    IReadOnlyList<string>? Tags = null,
    IReadOnlyList<MetricThreshold>? MetricThresholds = null);

/// <summary>Task names.</summary>
public static class ModelTasks
{
    /// <summary>Two classes; scores are the probability of the positive class.</summary>
    public const string BinaryClassification = "binary_classification";

    /// <summary>A number.</summary>
    public const string Regression = "regression";
}

/// <summary>A registered model.</summary>
public sealed record ModelInfo(
    string Id,
    string Name,
    string Owner,
    string? Description,
    string? BusinessPurpose,
    int RiskTier,
    string Task,
    IReadOnlyList<SensitiveAttribute> SensitiveAttributes,
    IReadOnlyList<string> Tags,
    IReadOnlyList<MetricThreshold> MetricThresholds,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    int VersionCount,
    int? LatestVersion,
    string? LatestState,
    IReadOnlyDictionary<string, int> Aliases,
    DateTimeOffset? NextReviewDue,
    bool ReviewOverdue);

/// <summary>Filters for <c>GET /api/v1/models</c>.</summary>
public sealed record ModelQuery
{
    /// <summary>Text found in the name, description, owner or purpose (case-insensitive).</summary>
    public string? Search { get; init; }

    /// <summary>Only this risk tier.</summary>
    public int? RiskTier { get; init; }

    /// <summary>Only this owner.</summary>
    public string? Owner { get; init; }

    /// <summary>Only models with this tag.</summary>
    public string? Tag { get; init; }

    /// <summary>1-based page.</summary>
    public int Page { get; init; } = 1;

    /// <summary>Models per page (1–500).</summary>
    public int PageSize { get; init; } = 50;
}

/// <summary>Fingerprint of a data set: enough to recognise it later without keeping it.</summary>
public sealed record DataFingerprint(string Sha256, long Rows, IReadOnlyList<ColumnSchema> Columns);

/// <summary>A column of a data set.</summary>
public sealed record ColumnSchema(string Name, string Type);

/// <summary>Where a version came from.</summary>
public sealed record VersionLineage(
    DataFingerprint? TrainingData = null,
    string? CodeReference = null,
    IReadOnlyDictionary<string, string>? HyperParameters = null,
    IReadOnlyDictionary<string, double>? TrainingMetrics = null,
    int? ParentVersion = null);

/// <summary>How a feature's values are classified for privacy: public, personal or sensitive.</summary>
public sealed record FeatureClassification(string Feature, string Classification, string? Justification = null);

/// <summary>The JSON "metadata" part sent with an artifact upload.</summary>
/// <param name="Features">Declared features (names, order, kinds); refused when they contradict the artifact.</param>
/// <param name="LabelColumn">For ML.NET models: the input column that holds the label (not a feature).</param>
/// <param name="Lineage">Training data fingerprint, code reference, hyper-parameters, metrics, parent version.</param>
/// <param name="DataClassification">Per-feature privacy classification.</param>
/// <param name="ReviewDueAt">When the periodic review is due (default: the tier's review period after approval).</param>
public sealed record UploadVersionMetadata(
    IReadOnlyList<FeatureSpec>? Features = null,
    string? LabelColumn = null,
    VersionLineage? Lineage = null,
    IReadOnlyList<FeatureClassification>? DataClassification = null,
    DateTimeOffset? ReviewDueAt = null);

/// <summary>The sections of a model card (Mitchell et al., "Model Cards for Model Reporting", 2019).</summary>
public sealed record ModelCard(
    string? IntendedUse = null,
    string? OutOfScopeUse = null,
    string? TrainingData = null,
    string? EvaluationData = null,
    string? Metrics = null,
    string? EthicalConsiderations = null,
    string? CaveatsAndRecommendations = null);

/// <summary>A validation, approval or rejection given by one person.</summary>
public sealed record SignOff(string Kind, string ActorKeyId, string ActorName, string Person, string Comment, DateTimeOffset At);

/// <summary>Sign-off kinds.</summary>
public static class SignOffKinds
{
    /// <summary>Independent validation.</summary>
    public const string Validation = "validation";

    /// <summary>Approval for production.</summary>
    public const string Approval = "approval";

    /// <summary>Rejection.</summary>
    public const string Rejection = "rejection";
}

/// <summary>A change of lifecycle state.</summary>
public sealed record StateTransition(string From, string To, string Reason, string ActorKeyId, string ActorName, DateTimeOffset At);

/// <summary>Lifecycle states.</summary>
public static class VersionStates
{
    /// <summary>Uploaded; card and classification still editable.</summary>
    public const string Draft = "draft";

    /// <summary>Frozen and waiting for validation or approval.</summary>
    public const string Submitted = "submitted";

    /// <summary>Validated by the required number of validators.</summary>
    public const string Validated = "validated";

    /// <summary>Approved: may hold a stage alias and be served.</summary>
    public const string Approved = "approved";

    /// <summary>Rejected by a validator or approver.</summary>
    public const string Rejected = "rejected";

    /// <summary>Withdrawn for good.</summary>
    public const string Retired = "retired";
}

/// <summary>A model version.</summary>
public sealed record ModelVersionInfo(
    string ModelName,
    int Version,
    string State,
    string ArtifactSha256,
    string Format,
    long ArtifactBytes,
    ModelSignature Signature,
    string? LabelColumn,
    VersionLineage Lineage,
    IReadOnlyList<FeatureClassification> DataClassification,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    string CreatedByName,
    DateTimeOffset? ReviewDueAt,
    bool ReviewOverdue,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<SignOff> SignOffs,
    IReadOnlyList<string> AllowedTransitions);

/// <summary>Body of submit, retire and other transitions: why.</summary>
public sealed record TransitionRequest(string Reason);

/// <summary>Body of a validation, approval or rejection: the reviewer's comment.</summary>
public sealed record SignOffRequest(string Comment);

/// <summary>One compliance gate's verdict.</summary>
/// <param name="Gate">Gate id, e.g. model_card_complete.</param>
/// <param name="Status">pass, fail, not_applicable or excepted.</param>
/// <param name="Evidence">What was checked and found.</param>
public sealed record GateResult(string Gate, string Status, string Evidence);

/// <summary>All gates for a version.</summary>
public sealed record GateReport(int Version, bool Passed, IReadOnlyList<GateResult> Gates);

/// <summary>An admin's documented exception to a failing gate.</summary>
public sealed record GateExceptionRequest(string Gate, string Justification);

/// <summary>Group rates for one sensitive attribute.</summary>
public sealed record GroupRates(string Group, long Count, double SelectionRate, double? TruePositiveRate);

/// <summary>Fairness on one sensitive attribute (fairlearn's definitions).</summary>
/// <param name="Attribute">The sensitive attribute.</param>
/// <param name="Groups">Rates per group.</param>
/// <param name="DisparateImpact">Lowest group selection rate divided by the highest (demographic parity ratio).</param>
/// <param name="EqualOpportunityDifference">Highest group true positive rate minus the lowest.</param>
public sealed record FairnessResult(string Attribute, IReadOnlyList<GroupRates> Groups, double DisparateImpact, double EqualOpportunityDifference);

/// <summary>A validation run: a labelled hold-out set scored by the version, with its metrics as evidence.</summary>
public sealed record ValidationRunInfo(
    string Id,
    int Version,
    DateTimeOffset At,
    string ActorKeyId,
    string ActorName,
    DataFingerprint Dataset,
    string LabelColumn,
    string? PositiveLabel,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<IReadOnlyList<long>>? ConfusionMatrix,
    IReadOnlyList<FairnessResult> Fairness);

/// <summary>Moves a stage alias to a version.</summary>
public sealed record PromoteRequest(int Version, string Reason);

/// <summary>One change of an alias.</summary>
public sealed record AliasEvent(string Alias, int? Version, int? PreviousVersion, DateTimeOffset At, string ActorKeyId, string ActorName, string Reason);

/// <summary>The answer to "which version held this alias at time T, and who approved it".</summary>
public sealed record AliasHolding(string Model, string Alias, DateTimeOffset At, int? Version, DateTimeOffset? Since, string? PromotedBy, IReadOnlyList<SignOff> Approvals);

/// <summary>Everything that happened to a model's aliases, or the holder at one time.</summary>
public sealed record ModelHistory(string Model, IReadOnlyList<AliasEvent> AliasEvents, AliasHolding? Holding);

/// <summary>Everything that happened to a version.</summary>
public sealed record VersionHistory(string Model, int Version, IReadOnlyList<StateTransition> Transitions, IReadOnlyList<SignOff> SignOffs,
    IReadOnlyList<ValidationRunInfo> ValidationRuns, IReadOnlyList<GateExceptionInfo> GateExceptions);

/// <summary>A recorded gate exception.</summary>
public sealed record GateExceptionInfo(string Gate, string Justification, string ActorKeyId, string ActorName, DateTimeOffset At);

/// <summary>A version waiting for a sign-off.</summary>
public sealed record QueueItem(string Model, int RiskTier, int Version, string State, string Author, DateTimeOffset SubmittedAt,
    int ValidationsNeeded, int ApprovalsNeeded, IReadOnlyList<string> FailingGates);
