namespace Warden.Contracts;

/// <summary>Experiment kinds.</summary>
public static class ExperimentKinds
{
    /// <summary>Fixed weights, analysed at the end (or continuously with sequential intervals).</summary>
    public const string AB = "ab";

    /// <summary>Weights move toward the better arm on a cadence.</summary>
    public const string Bandit = "bandit";

    /// <summary>Contextual bandit (LinUCB): each new unit's arm is chosen from its request's context features; the model is refitted
    /// from the rewards on the cadence.</summary>
    public const string LinUcb = "linucb";

    /// <summary>Every kind.</summary>
    public static readonly IReadOnlyList<string> All = [AB, Bandit, LinUcb];
}

/// <summary>Experiment lifecycle: draft → running → stopped → concluded (a draft may also be concluded, i.e. abandoned).</summary>
public static class ExperimentStatuses
{
    /// <summary>Defined, not serving.</summary>
    public const string Draft = "draft";

    /// <summary>Assigning units and recording exposures.</summary>
    public const string Running = "running";

    /// <summary>No new exposures; units in the experiment are served by the control arm.</summary>
    public const string Stopped = "stopped";

    /// <summary>Closed with a conclusion; the model's traffic policy serves everyone again.</summary>
    public const string Concluded = "concluded";
}

/// <summary>Metric kinds (how a unit's feedback values become one number per unit).</summary>
public static class MetricKinds
{
    /// <summary>Did the unit convert: 1 when the sum of its values is positive, else 0.</summary>
    public const string Binomial = "binomial";

    /// <summary>Sum of the unit's values (revenue, time); 0 when none.</summary>
    public const string Continuous = "continuous";

    /// <summary>Sum of the unit's values as a count (clicks); analysed as a mean per unit.</summary>
    public const string Count = "count";

    /// <summary>Measured by Warden, not from feedback: one of <see cref="NativeMetrics"/> (latency, error rate, drift, fairness);
    /// secondary or guardrail only, judged against limits (<see cref="ExperimentMetric.Max"/>, <see cref="ExperimentMetric.Min"/>,
    /// <see cref="ExperimentMetric.Margin"/>) rather than with a significance test.</summary>
    public const string Native = "native";

    /// <summary>Σ numerator / Σ denominator over units (delta method), e.g. revenue per session.</summary>
    public const string Ratio = "ratio";

    /// <summary>Every kind.</summary>
    public static readonly IReadOnlyList<string> All = [Binomial, Continuous, Count, Ratio, Native];
}

/// <summary>Model-native metrics of an arm (kind <see cref="MetricKinds.Native"/>). Latency and error rate are measured on the
/// experiment's own requests per phase and arm; drift and fairness are the monitoring metrics of the arm's <b>version</b> (all of
/// its traffic in the newest monitoring window that overlaps the phase, not only the experiment's units).</summary>
public static class NativeMetrics
{
    /// <summary>Median server-side latency of the arm's answered requests, in milliseconds.</summary>
    public const string LatencyP50 = "latency_p50";

    /// <summary>99th percentile server-side latency of the arm's answered requests, in milliseconds.</summary>
    public const string LatencyP99 = "latency_p99";

    /// <summary>Share of the arm's requests that got no predictions (records its version refused, scoring errors, at capacity, timeouts).</summary>
    public const string ErrorRate = "error_rate";

    /// <summary>Share of the version's features that drifted from its reference.</summary>
    public const string DriftShare = "drift.share";

    /// <summary>Drift of one feature (<see cref="ExperimentMetric.Feature"/>) in units of its threshold (&gt; 1 = drifted).</summary>
    public const string DriftScore = "drift.score";

    /// <summary>Drift of the version's output in units of its threshold.</summary>
    public const string DriftPrediction = "drift.prediction";

    /// <summary>Disparate impact on one sensitive attribute (<see cref="ExperimentMetric.Feature"/>); higher is better (1 = parity).</summary>
    public const string DisparateImpact = "fairness.disparate_impact";

    /// <summary>Demographic parity ratio on one sensitive attribute; higher is better.</summary>
    public const string DemographicParityRatio = "fairness.demographic_parity_ratio";

    /// <summary>Demographic parity difference on one sensitive attribute; lower is better.</summary>
    public const string DemographicParityDifference = "fairness.demographic_parity_difference";

    /// <summary>Equal opportunity difference on one sensitive attribute; lower is better.</summary>
    public const string EqualOpportunityDifference = "fairness.equal_opportunity_difference";

    /// <summary>Equalized odds difference on one sensitive attribute; lower is better.</summary>
    public const string EqualizedOddsDifference = "fairness.equalized_odds_difference";

    /// <summary>Every native metric.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        LatencyP50, LatencyP99, ErrorRate, DriftShare, DriftScore, DriftPrediction, DisparateImpact, DemographicParityRatio, DemographicParityDifference,
        EqualOpportunityDifference, EqualizedOddsDifference,
    ];

    /// <summary>True for metrics measured on the serving path (per experiment, phase and arm); false for monitoring metrics (per version).</summary>
    public static bool FromServing(string name) => name is LatencyP50 or LatencyP99 or ErrorRate;

    /// <summary>True for metrics that name a feature or sensitive attribute (<see cref="ExperimentMetric.Feature"/>).</summary>
    public static bool NeedsFeature(string name) => name == DriftScore || name.StartsWith("fairness.", StringComparison.Ordinal);

    /// <summary>True where a higher value is better (the parity ratios); lower is better for every other native metric.</summary>
    public static bool HigherIsBetter(string name) => name is DisparateImpact or DemographicParityRatio;
}

/// <summary>Metric roles.</summary>
public static class MetricRoles
{
    /// <summary>The metric the decision is made on (exactly one).</summary>
    public const string Primary = "primary";

    /// <summary>Reported, not decided on.</summary>
    public const string Secondary = "secondary";

    /// <summary>Must not get significantly worse: a breach stops the experiment automatically.</summary>
    public const string Guardrail = "guardrail";
}

/// <summary>Bandit policies.</summary>
public static class BanditPolicies
{
    /// <summary>Weights = posterior probability of being best (period-weighted, GrowthBook-style).</summary>
    public const string Thompson = "thompson";

    /// <summary>All weight (above the floors) on the arm with the largest upper confidence bound.</summary>
    public const string Ucb1 = "ucb1";

    /// <summary>ε spread evenly, the rest on the best mean.</summary>
    public const string EpsilonGreedy = "epsilon-greedy";

    /// <summary>The policy of kind linucb experiments (set by the server; not chosen with kind bandit).</summary>
    public const string LinUcb = "linucb";

    /// <summary>Every policy.</summary>
    public static readonly IReadOnlyList<string> All = [Thompson, Ucb1, EpsilonGreedy];
}

/// <summary>One arm as requested: an approved version of the experiment's model that holds a stage alias.</summary>
/// <param name="Name">Arm name (e.g. control, treatment).</param>
/// <param name="Version">The model version that answers for this arm.</param>
/// <param name="Weight">Relative traffic share (normalised; equal when omitted).</param>
/// <param name="Control">True for the control arm (exactly one; the first arm when none is marked).</param>
public sealed record ExperimentArmRequest(string Name, int Version, double? Weight = null, bool Control = false);

/// <summary>One arm as stored.</summary>
/// <param name="Name">Arm name.</param>
/// <param name="Version">The version that answers.</param>
/// <param name="Alias">The alias through which serving reaches the version (the version must keep holding it).</param>
/// <param name="Weight">Traffic share (the weights of a phase sum to 1).</param>
/// <param name="Control">True for the control arm.</param>
public sealed record ExperimentArm(string Name, int Version, string Alias, double Weight, bool Control);

/// <summary>A metric computed from feedback values (<c>FeedbackEvent.Values</c>) of the units in the experiment.</summary>
/// <param name="Name">The feedback value name (e.g. converted, revenue); for ratio metrics the numerator.</param>
/// <param name="Kind">binomial | continuous | count | ratio.</param>
/// <param name="Role">primary | secondary | guardrail.</param>
/// <param name="Denominator">Ratio metrics: the feedback value name of the denominator.</param>
/// <param name="CapUpper">Winsorize per-unit values above this fixed value.</param>
/// <param name="CapQuantile">Winsorize per-unit values above this quantile of the pooled arms (e.g. 0.99).</param>
/// <param name="Covariate">A feedback value name holding the unit's pre-period value of the metric, for CUPED.</param>
/// <param name="Inverse">True when lower is better (latency, defaults).</param>
/// <param name="Feature">Native drift.score and fairness metrics: the feature or sensitive attribute.</param>
/// <param name="Max">Native metrics: a treatment arm above this value breaches the guardrail.</param>
/// <param name="Min">Native metrics: a treatment arm below this value breaches the guardrail.</param>
/// <param name="Margin">Native metrics: a treatment arm worse than control by more than this relative margin (0.2 = 20 %) breaches.</param>
/// <param name="MinimumSample">Native metrics: requests per arm (latency, error rate) or rows in the version's window (drift, fairness)
/// below which an arm is not judged (default 100).</param>
public sealed record ExperimentMetric(string Name, string Kind = MetricKinds.Binomial, string Role = MetricRoles.Primary, string? Denominator = null,
    double? CapUpper = null, double? CapQuantile = null, string? Covariate = null, bool Inverse = false, string? Feature = null, double? Max = null,
    double? Min = null, double? Margin = null, long? MinimumSample = null);

/// <summary>A GrowthBook namespace slice: experiments in the same namespace with disjoint slices never share a unit.</summary>
public sealed record ExperimentNamespaceRange(string Id, double Start, double End);

/// <summary>A global holdout: units hashing into [0, fraction) under the seed are kept out of every experiment naming it.</summary>
public sealed record ExperimentHoldout(string Seed, double Fraction);

/// <summary>Bandit settings.</summary>
/// <param name="Policy">thompson | ucb1 | epsilon-greedy.</param>
/// <param name="Floor">Minimum traffic share per arm (0–1/K).</param>
/// <param name="UpdateMinutes">Cadence of reallocation.</param>
/// <param name="Epsilon">ε for epsilon-greedy.</param>
/// <param name="Exploration">LinUCB's exploration strength α (the width of the upper confidence bound, 0–10).</param>
public sealed record BanditSettings(string Policy = BanditPolicies.Thompson, double Floor = 0.05, double UpdateMinutes = 60, double Epsilon = 0.1, double Exploration = 1);

/// <summary>POST /api/v1/experiments.</summary>
/// <param name="Name">Unique experiment name (1–64 of a–z, 0–9, '_' or '-'); also the GrowthBook tracking key.</param>
/// <param name="Model">The model whose versions compete.</param>
/// <param name="Arms">2–10 arms; each names an approved version that holds an alias.</param>
/// <param name="Metrics">Metrics: exactly one primary.</param>
/// <param name="Kind">ab | bandit | linucb.</param>
/// <param name="UnitType">What a unit is (user, customer, session …) — documentation for analysts.</param>
/// <param name="HashAttribute">The GrowthBook hash attribute the unit id stands for (default id).</param>
/// <param name="Seed">Hash seed (default: the experiment name, as GrowthBook).</param>
/// <param name="Coverage">Share of units included (0–1).</param>
/// <param name="Namespace">Optional namespace slice.</param>
/// <param name="Holdout">Optional global holdout.</param>
/// <param name="Mde">Minimum detectable effect, relative (0.05 = 5 %).</param>
/// <param name="Baseline">The primary metric's expected control mean (conversion rate for binomial), for the power analysis.</param>
/// <param name="StandardDeviation">Continuous metrics: the per-unit standard deviation, for the power analysis.</param>
/// <param name="PlannedSampleSize">Units per arm; computed from Mde and Baseline when omitted.</param>
/// <param name="Alpha">Significance level (default 0.05).</param>
/// <param name="Bandit">Bandit settings (kinds bandit and linucb).</param>
/// <param name="Hypothesis">What the experiment is meant to show.</param>
/// <param name="SequentialTuning">N* of the always-valid intervals: the total sample size at which you expect to decide (the
/// intervals are narrowest there). Default: the planned sample size of all arms, else 5,000 (GrowthBook's default).</param>
/// <param name="ContextFeatures">Features of the request record logged with each unit's first exposure (1–20; each a feature of
/// every arm's version classified public). Required for linucb (numeric features: the bandit's context); optional otherwise
/// (off-policy evaluation by segment).</param>
public sealed record CreateExperimentRequest(
    string Name,
    string Model,
    IReadOnlyList<ExperimentArmRequest> Arms,
    IReadOnlyList<ExperimentMetric> Metrics,
    string Kind = ExperimentKinds.AB,
    string UnitType = "user",
    string HashAttribute = "id",
    string? Seed = null,
    double Coverage = 1,
    ExperimentNamespaceRange? Namespace = null,
    ExperimentHoldout? Holdout = null,
    double? Mde = null,
    double? Baseline = null,
    double? StandardDeviation = null,
    long? PlannedSampleSize = null,
    double Alpha = 0.05,
    BanditSettings? Bandit = null,
    string? Hypothesis = null,
    double? SequentialTuning = null,
    IReadOnlyList<string>? ContextFeatures = null);

/// <summary>A phase: a period with fixed arms, weights, coverage and seed.</summary>
public sealed record ExperimentPhase(int Number, DateTimeOffset StartedAt, string Seed, double Coverage, IReadOnlyList<ExperimentArm> Arms, bool Reseeded,
    string Reason, string ActorName);

/// <summary>An experiment (the parameters are those of <see cref="CreateExperimentRequest"/>, as stored, plus its state).</summary>
public sealed record ExperimentInfo(
    string Name,
    string Model,
    string Kind,
    string Status,
    string UnitType,
    string HashAttribute,
    int HashVersion,
    double Coverage,
    ExperimentNamespaceRange? Namespace,
    ExperimentHoldout? Holdout,
    IReadOnlyList<ExperimentArm> Arms,
    IReadOnlyList<ExperimentMetric> Metrics,
    double? Mde,
    long? PlannedSampleSize,
    double Alpha,
    BanditSettings? Bandit,
    string? Hypothesis,
    int Phase,
    IReadOnlyList<ExperimentPhase> Phases,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StoppedAt,
    string? StopReason,
    DateTimeOffset? ConcludedAt,
    string? Conclusion,
    double SequentialTuning,
    IReadOnlyList<string> ContextFeatures);

/// <summary>POST …/start, …/stop, …/conclude.</summary>
public sealed record ExperimentTransitionRequest(string Reason);

/// <summary>POST …/phases: new arms or weights for a running experiment. Units already assigned keep their arm unless
/// <paramref name="Reseed"/> asks for a new seed (everyone is re-randomised, explicitly).</summary>
public sealed record NewPhaseRequest(IReadOnlyList<ExperimentArmRequest> Arms, string Reason, double? Coverage = null, bool Reseed = false);

/// <summary>POST /api/v1/experiments/power.</summary>
/// <param name="Kind">binomial or continuous.</param>
/// <param name="Baseline">Control conversion rate (binomial) or mean (continuous).</param>
/// <param name="Mde">Relative minimum detectable effect.</param>
/// <param name="StandardDeviation">Continuous: per-unit standard deviation.</param>
/// <param name="Alpha">Two-sided significance level.</param>
/// <param name="Power">Desired power.</param>
/// <param name="Arms">Number of arms (each treatment is compared with control).</param>
public sealed record PowerRequest(string Kind, double Baseline, double Mde, double? StandardDeviation = null, double Alpha = 0.05, double Power = 0.8, int Arms = 2);

/// <summary>The answer of a power analysis.</summary>
public sealed record PowerResult(long UnitsPerArm, long TotalUnits, double EffectSize, string Method);

/// <summary>An interval estimate with its p-value.</summary>
public sealed record LiftEstimate(double Estimate, double CiLower, double CiUpper, double PValue);

/// <summary>Bayesian summary of the relative lift against control.</summary>
public sealed record BayesianSummary(double ChanceToBeatControl, double RiskControl, double RiskTreatment, double CiLower, double CiUpper);

/// <summary>One arm's numbers for one metric; the comparisons are against control (null for control itself).</summary>
/// <param name="Arm">The arm.</param>
/// <param name="Units">Units exposed in the arm.</param>
/// <param name="Mean">Mean per unit (ratio metrics: Σ numerator / Σ denominator; CUPED: unadjusted).</param>
/// <param name="StandardDeviation">Per-unit standard deviation (not for ratio metrics).</param>
/// <param name="Absolute">Difference of means: Welch (two-proportion z for binomial metrics) interval and p-value.</param>
/// <param name="Relative">Relative lift (delta method), Welch interval and p-value.</param>
/// <param name="Sequential">Relative lift, always-valid interval and p-value (may be watched continuously).</param>
/// <param name="SequentialAbsolute">Difference of means, always-valid (guardrails are judged on it).</param>
/// <param name="Bayesian">Chance to beat control and risks (relative lift, flat prior).</param>
/// <param name="PValueHolm">The relative p-value adjusted by Holm across all metrics and treatment arms.</param>
/// <param name="PValueBenjaminiHochberg">The relative p-value adjusted by Benjamini–Hochberg across all metrics and treatment arms.</param>
/// <param name="Problem">Why no comparison could be made (too few units, zero variance or baseline).</param>
public sealed record ArmMetricResult(
    string Arm,
    long Units,
    double Mean,
    double? StandardDeviation,
    LiftEstimate? Absolute,
    LiftEstimate? Relative,
    LiftEstimate? Sequential,
    LiftEstimate? SequentialAbsolute,
    BayesianSummary? Bayesian,
    double? PValueHolm,
    double? PValueBenjaminiHochberg,
    string? Problem);

/// <summary>One metric across the arms.</summary>
public sealed record MetricResult(string Metric, string Kind, string Role, bool Inverse, bool Cuped, double? CupedTheta, IReadOnlyList<ArmMetricResult> Arms);

/// <summary>The sample-ratio-mismatch check: observed units per arm against the configured weights.</summary>
public sealed record SrmCheck(IReadOnlyList<long> Observed, IReadOnlyList<double> ExpectedShares, double ChiSquared, double PValue, bool Mismatch);

/// <summary>One arm's exposure summary.</summary>
public sealed record ArmSummary(string Arm, int Version, bool Control, long Units, double Weight);

/// <summary>What serving measured for one arm in the phase: every request the experiment routed to the arm while it ran.</summary>
/// <param name="Arm">The arm.</param>
/// <param name="Requests">Requests routed to the arm (a caller that gave up is not counted).</param>
/// <param name="Failures">Requests that got no predictions (see <see cref="NativeMetrics.ErrorRate"/>).</param>
/// <param name="ErrorRate">Failures ÷ requests (null without requests).</param>
/// <param name="LatencyP50">Median latency of answered requests, ms (KLL sketch, merged over replicas).</param>
/// <param name="LatencyP99">99th percentile latency of answered requests, ms.</param>
/// <param name="LatencyMean">Mean latency of answered requests, ms.</param>
public sealed record ArmServing(string Arm, long Requests, long Failures, double? ErrorRate, double? LatencyP50, double? LatencyP99, double? LatencyMean);

/// <summary>One arm's value of a native metric.</summary>
/// <param name="Arm">The arm.</param>
/// <param name="Version">The arm's version.</param>
/// <param name="Value">The value (null when not measured yet, or below the minimum sample).</param>
/// <param name="Sample">Requests (serving metrics) or rows of the version's window (monitoring metrics) behind the value.</param>
/// <param name="RelativeToControl">(value − control) ÷ control, for treatment arms when both are known.</param>
/// <param name="Window">Monitoring metrics: the start of the version's window the value comes from.</param>
/// <param name="Breach">Why this arm breaches the guardrail (null when it does not, and always for control).</param>
/// <param name="Note">Why there is no value.</param>
public sealed record NativeArmValue(string Arm, int Version, double? Value, long Sample, double? RelativeToControl, DateTimeOffset? Window, string? Breach, string? Note);

/// <summary>A native metric across the arms.</summary>
/// <param name="Metric">One of <see cref="NativeMetrics"/>.</param>
/// <param name="Feature">The feature or sensitive attribute, where the metric has one.</param>
/// <param name="Role">secondary | guardrail.</param>
/// <param name="Scope">"experiment" (measured on the experiment's requests per arm) or "version" (the version's monitoring window: all its traffic).</param>
/// <param name="HigherIsBetter">The direction of the metric.</param>
/// <param name="Max">The upper limit, if any.</param>
/// <param name="Min">The lower limit, if any.</param>
/// <param name="Margin">The relative margin against control, if any.</param>
/// <param name="Arms">The arms' values.</param>
public sealed record NativeMetricResult(string Metric, string? Feature, string Role, string Scope, bool HigherIsBetter, double? Max, double? Min, double? Margin,
    IReadOnlyList<NativeArmValue> Arms);

/// <summary>GET …/results.</summary>
/// <param name="Experiment">The experiment.</param>
/// <param name="Model">Its model.</param>
/// <param name="Status">Its status.</param>
/// <param name="Phase">The phase reported.</param>
/// <param name="ComputedAt">When the results were computed.</param>
/// <param name="Units">Units exposed in the phase.</param>
/// <param name="Arms">Units per arm.</param>
/// <param name="Srm">The sample-ratio-mismatch check (none for linucb or without units).</param>
/// <param name="Metrics">Feedback metrics per arm.</param>
/// <param name="Winner">A significant winner on the primary metric, if any.</param>
/// <param name="GuardrailBreaches">Guardrail breaches in words (feedback and native); any stops a running experiment at its next evaluation.</param>
/// <param name="Serving">Latency and error rate of every arm in the phase, measured on the serving path (always reported).</param>
/// <param name="Native">The experiment's native metrics, judged per arm (a guardrail's breaches are also in <paramref name="GuardrailBreaches"/>).</param>
public sealed record ExperimentResults(
    string Experiment,
    string Model,
    string Status,
    int Phase,
    DateTimeOffset ComputedAt,
    long Units,
    IReadOnlyList<ArmSummary> Arms,
    SrmCheck? Srm,
    IReadOnlyList<MetricResult> Metrics,
    string? Winner,
    IReadOnlyList<string> GuardrailBreaches,
    IReadOnlyList<ArmServing>? Serving = null,
    IReadOnlyList<NativeMetricResult>? Native = null);

/// <summary>One point of the primary metric's always-valid interval over time, per treatment arm.</summary>
public sealed record IntervalPoint(DateTimeOffset At, string Arm, long Units, double Estimate, double CiLower, double CiUpper);

/// <summary>A bandit reallocation.</summary>
public sealed record BanditAllocationRecord(int Period, DateTimeOffset At, IReadOnlyDictionary<string, double> Weights,
    IReadOnlyDictionary<string, double>? ProbabilityBest, string Reason);

/// <summary>What an evaluation decided.</summary>
/// <param name="Experiment">The experiment.</param>
/// <param name="Action">none | stopped (guardrail) | proposed (winner) | reallocated (bandit).</param>
/// <param name="Detail">Why.</param>
/// <param name="ProposalId">The promotion proposal created, if any.</param>
public sealed record ExperimentDecision(string Experiment, string Action, string Detail, string? ProposalId = null);

/// <summary>A proposal to move an alias to an experiment's winning version; accepted or rejected by an approver who is not the proposer.</summary>
public sealed record PromotionProposal(
    string Id,
    string Experiment,
    string Model,
    int Version,
    string Alias,
    string Status,
    string Evidence,
    DateTimeOffset ProposedAt,
    string ProposedBy,
    DateTimeOffset? DecidedAt,
    string? DecidedBy,
    string? Comment);

/// <summary>POST /api/v1/promotions/{id}/accept or /reject.</summary>
public sealed record ProposalDecisionRequest(string Comment);

/// <summary>A context-dependent part of a candidate policy: decisions whose logged context matches use these arm probabilities.
/// Give <paramref name="Value"/> (equality; numbers compared numerically) or a range [<paramref name="Min"/>, <paramref name="Max"/>).</summary>
/// <param name="Feature">One of the experiment's context features.</param>
/// <param name="Arms">Target probability of each arm (missing arms get 0; they must sum to 1).</param>
/// <param name="Value">Match when the feature equals this value.</param>
/// <param name="Min">Match when the feature is a number ≥ Min.</param>
/// <param name="Max">Match when the feature is a number &lt; Max.</param>
public sealed record OffPolicyRule(string Feature, IReadOnlyDictionary<string, double> Arms, string? Value = null, double? Min = null, double? Max = null);

/// <summary>POST /api/v1/experiments/{name}/off-policy: the candidate policy to evaluate on the experiment's logged decisions.</summary>
/// <param name="Arms">The target probability of each arm (a fixed allocation; {"treatment": 1} is "always treatment"); used for
/// decisions no rule matches. Missing arms get 0; they must sum to 1.</param>
/// <param name="Rules">Context-dependent probabilities; the first matching rule wins.</param>
/// <param name="Metric">The reward: a binomial, continuous or count metric of the experiment (default: the primary).</param>
/// <param name="Alpha">1 − confidence level of the intervals.</param>
public sealed record OffPolicyRequest(IReadOnlyDictionary<string, double> Arms, IReadOnlyList<OffPolicyRule>? Rules = null, string? Metric = null, double Alpha = 0.05);

/// <summary>One estimate of the candidate policy's mean reward per unit, with its normal-approximation interval.</summary>
public sealed record OffPolicyValue(double Value, double StandardError, double CiLower, double CiUpper);

/// <summary>The answer of an off-policy evaluation.</summary>
/// <param name="Experiment">The experiment.</param>
/// <param name="Metric">The reward metric.</param>
/// <param name="Epoch">The epoch whose decisions were used (arms are fixed within an epoch).</param>
/// <param name="Decisions">Logged decisions (units' first exposures) used.</param>
/// <param name="Logged">The mean reward the logging policy actually earned.</param>
/// <param name="Ips">Inverse propensity scoring (unbiased; high variance).</param>
/// <param name="SelfNormalized">Self-normalized IPS (slightly biased; lower variance).</param>
/// <param name="DoublyRobust">Doubly robust with a reward model of per-arm means in each context cell.</param>
/// <param name="EffectiveSampleSize">(Σw)²/Σw² of the importance weights: how many on-policy decisions the log is worth.</param>
/// <param name="Warnings">What limits the estimate (little overlap, arms never logged in a cell, deterministic logging).</param>
public sealed record OffPolicyResult(string Experiment, string Metric, int Epoch, long Decisions, OffPolicyValue Logged, OffPolicyValue Ips,
    OffPolicyValue SelfNormalized, OffPolicyValue DoublyRobust, double EffectiveSampleSize, IReadOnlyList<string> Warnings);
