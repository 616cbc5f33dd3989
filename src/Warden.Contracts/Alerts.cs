namespace Warden.Contracts;

/// <summary>What an alert rule watches, when it fires and what it does.</summary>
/// <param name="Model">The model watched.</param>
/// <param name="Metric">The metric: drift.share, drift.score (per feature; statistic over threshold), drift.prediction (the output's
/// drift score), drift.multivariate (PCA reconstruction error in units of its upper threshold), performance.&lt;accuracy|precision|recall|f1|roc_auc|log_loss|brier|ece|mae|rmse|mape|r2&gt;, quality.missing_share and
/// quality.out_of_domain_share (per feature), quality.violations, fairness.&lt;demographic_parity_difference|demographic_parity_ratio|
/// equal_opportunity_difference|equalized_odds_difference|disparate_impact&gt; (per sensitive attribute), volume.predictions.</param>
/// <param name="Comparison">&gt;, &gt;=, &lt; or &lt;=: the alert condition is "metric comparison threshold".</param>
/// <param name="Threshold">The threshold.</param>
/// <param name="Feature">For per-feature metrics: the feature (or sensitive attribute); null: any feature (the worst one fires).</param>
/// <param name="Version">The version watched; null: the version holding <paramref name="Alias"/> now.</param>
/// <param name="Alias">The alias whose holder is watched (default champion) and that a rollback action moves.</param>
/// <param name="ConsecutiveWindows">Windows in a row that must breach (default 1).</param>
/// <param name="MinimumSample">Rows (labelled rows for performance and fairness) a window needs before it is judged (default 30).</param>
/// <param name="Action">notify (default), rollback (the alias goes back to the previous approved version) or canary-zero
/// (the alias's weight in the model's traffic policy becomes 0).</param>
/// <param name="Webhook">A webhook configured on the server (Warden:Alerts:Webhooks:NAME) to notify; null: only the dashboard and the log.</param>
/// <param name="Name">A human name for the rule.</param>
public sealed record AlertRuleRequest(
    string Model,
    string Metric,
    string Comparison,
    double Threshold,
    string? Feature = null,
    int? Version = null,
    string? Alias = null,
    int? ConsecutiveWindows = null,
    long? MinimumSample = null,
    string? Action = null,
    string? Webhook = null,
    string? Name = null);

/// <summary>A stored alert rule.</summary>
public sealed record AlertRule(string Id, string Name, string Model, string Metric, string Comparison, double Threshold, string? Feature, int? Version, string Alias,
    int ConsecutiveWindows, long MinimumSample, string Action, string? Webhook, DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>A feature or segment ranked by its share in an alert's cause.</summary>
/// <param name="Name">The feature, or the segment (feature=value or feature=quantile bin).</param>
/// <param name="Score">The ranking score (drift × importance, or contribution to the performance drop).</param>
/// <param name="Detail">The numbers behind the score, in words.</param>
public sealed record RootCauseItem(string Name, double Score, string Detail);

/// <summary>An alert: a rule's condition held; firing until acknowledged or resolved (automatically when it no longer holds).</summary>
public sealed record Alert(string Id, string RuleId, string RuleName, string Model, int Version, string Metric, string? Feature, double Value, double Threshold,
    string Comparison, string State, DateTimeOffset FiredAt, DateTimeOffset WindowStart, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy,
    DateTimeOffset? ResolvedAt, string? Action, string? ActionResult, IReadOnlyList<RootCauseItem> RootCause);

/// <summary>The result of an evaluation pass.</summary>
public sealed record AlertEvaluation(int RulesEvaluated, IReadOnlyList<Alert> Fired, IReadOnlyList<Alert> Resolved);
