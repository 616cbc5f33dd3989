using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Options;
using Warden.Contracts;
using Warden.Server.Audit;
using Warden.Server.Data;
using Warden.Server.Governance;
using Warden.Server.Monitoring;
using Warden.Server.Platform;
using Warden.Server.Registry;
using Warden.Server.Serving;

namespace Warden.Server.Alerts;

/// <summary>Alert rules on monitoring metrics and the alerts they raise. An evaluation pass reads the newest windows of each
/// rule's version; when the condition holds in the last N windows (each with the minimum sample) an alert fires once, with
/// its root cause, its action (notify, roll the alias back, or take the alias's canary weight to zero — each audited under
/// the system actor) and its notifications (dashboard, log, webhook). It resolves by itself when a judged window no longer
/// breaches; a person may acknowledge it in between.</summary>
public sealed partial class AlertService(WardenDatabase database, AuditLog audit, MonitoringService monitoring, GovernanceService governance,
    TrafficRouter router, RegistryService registry, WebhookNotifier notifier, IOptions<AlertOptions> options, TimeProvider time, ILogger<AlertService> logger)
    : IDisposable
{
    private static readonly string[] Comparisons = [">", ">=", "<", "<="];
    private static readonly string[] Actions = ["notify", "rollback", "canary-zero"];
    private static readonly HashSet<string> PerFeature = new(StringComparer.Ordinal)
    {
        "drift.score", "quality.missing_share", "quality.out_of_domain_share", "fairness.demographic_parity_difference", "fairness.demographic_parity_ratio",
        "fairness.equal_opportunity_difference", "fairness.equalized_odds_difference", "fairness.disparate_impact",
    };

    private static readonly HashSet<string> Metrics = new(StringComparer.Ordinal)
    {
        "drift.share", "drift.score", "drift.prediction", "drift.multivariate", "quality.missing_share", "quality.out_of_domain_share", "quality.violations", "volume.predictions",
        "performance.accuracy", "performance.precision", "performance.recall", "performance.f1", "performance.roc_auc", "performance.log_loss",
        "performance.brier", "performance.ece", "performance.mae", "performance.rmse", "performance.mape", "performance.r2",
        "fairness.demographic_parity_difference", "fairness.demographic_parity_ratio", "fairness.equal_opportunity_difference",
        "fairness.equalized_odds_difference", "fairness.disparate_impact",
    };

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,31}$", RegexOptions.NonBacktracking)]
    private static partial Regex AliasPattern();

    /// <summary>The metrics a rule can watch.</summary>
    public static IReadOnlyCollection<string> KnownMetrics => Metrics;

    /// <summary>Creates a rule (audited).</summary>
    public async Task<AlertRule> CreateRuleAsync(AlertRuleRequest request, AuditScope scope, CancellationToken cancellationToken)
    {
        var alias = request.Alias ?? "champion";
        var action = request.Action ?? "notify";
        new Validator()
            .Require(Metrics.Contains(request.Metric ?? ""), "metric", $"one of {string.Join(", ", Metrics.Order(StringComparer.Ordinal))}")
            .Require(Comparisons.Contains(request.Comparison), "comparison", "one of >, >=, <, <=")
            .Require(double.IsFinite(request.Threshold), "threshold", "a finite number")
            .Require(request.Feature is null || PerFeature.Contains(request.Metric ?? ""), "feature", "only per-feature metrics (drift.score, quality.*_share, fairness.*) take a feature")
            .Require(AliasPattern().IsMatch(alias), "alias", "1–32 of a–z, 0–9, '_' or '-'")
            .Require(request.ConsecutiveWindows is null or >= 1 and <= 100, "consecutiveWindows", "1 to 100")
            .Require(request.MinimumSample is null or >= 0, "minimumSample", "not negative")
            .Require(Actions.Contains(action), "action", "notify, rollback or canary-zero")
            .Require(request.Webhook is null || options.Value.Webhooks.ContainsKey(request.Webhook), "webhook",
                $"a webhook configured under Warden:Alerts:Webhooks ({(options.Value.Webhooks.Count == 0 ? "none is" : string.Join(", ", options.Value.Webhooks.Keys) + " are")})")
            .Require(request.Name is null || request.Name.Length is > 0 and <= 200, "name", "1–200 characters")
            .ThrowIfInvalid();
        await registry.FindModelAsync(request.Model, cancellationToken);
        if (request.Version is { } v)
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await RegistryService.FindVersionAsync(connection, null, request.Model, v, cancellationToken);
        }

        var now = time.GetUtcNow();
        var rule = new AlertRule("rule_" + Guid.CreateVersion7().ToString("N")[..20],
            request.Name ?? $"{request.Metric}{(request.Feature is null ? "" : $"[{request.Feature}]")} {request.Comparison} {request.Threshold.ToString(CultureInfo.InvariantCulture)}",
            request.Model, request.Metric!, request.Comparison, request.Threshold, request.Feature, request.Version, alias, request.ConsecutiveWindows ?? 1,
            request.MinimumSample ?? 30, action, request.Webhook, now, scope.Actor.KeyId);
        await using var uow = await database.BeginAsync(cancellationToken);
        await uow.ExecuteAsync(
            "INSERT INTO alert_rules (id, name, model, metric, comparison, threshold, feature, version, alias, consecutive, minimum_sample, action, webhook, created_at, created_by) " +
            "VALUES (@Id, @Name, @Model, @Metric, @Comparison, @Threshold, @Feature, @Version, @Alias, @ConsecutiveWindows, @MinimumSample, @Action, @Webhook, @at, @CreatedBy)",
            new { rule.Id, rule.Name, rule.Model, rule.Metric, rule.Comparison, rule.Threshold, rule.Feature, rule.Version, rule.Alias, rule.ConsecutiveWindows,
                rule.MinimumSample, rule.Action, rule.Webhook, at = now.ToUnixTimeMilliseconds(), rule.CreatedBy }, cancellationToken);
        await audit.AppendAsync(uow, scope, "alerts.rule.create", $"alert-rule:{rule.Id}", rule, cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return rule;
    }

    /// <summary>The live rules (optionally of one model).</summary>
    public async Task<IReadOnlyList<AlertRule>> ListRulesAsync(string? model, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<RuleRow>(new CommandDefinition(
            "SELECT * FROM alert_rules WHERE deleted_at IS NULL AND (@model IS NULL OR model = @model) ORDER BY created_at", new { model }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToContract()).ToList();
    }

    /// <summary>Deletes a rule (audited); its open alerts are resolved.</summary>
    public async Task DeleteRuleAsync(string id, AuditScope scope, CancellationToken cancellationToken)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var changed = await uow.ExecuteAsync("UPDATE alert_rules SET deleted_at = @now WHERE id = @id AND deleted_at IS NULL", new { id, now }, cancellationToken);
        if (changed == 0)
        {
            throw WardenProblemException.NotFound($"Alert rule '{id}'");
        }

        await uow.ExecuteAsync("UPDATE alerts SET state = 'resolved', resolved_at = @now WHERE rule_id = @id AND state <> 'resolved'", new { id, now }, cancellationToken);
        await audit.AppendAsync(uow, scope, "alerts.rule.delete", $"alert-rule:{id}", new { id }, cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
    }

    /// <summary>Alerts, newest first (optionally by state and model).</summary>
    public async Task<IReadOnlyList<Alert>> ListAlertsAsync(string? state, string? model, int limit, CancellationToken cancellationToken)
    {
        new Validator().Require(state is null or "firing" or "acknowledged" or "resolved" or "open", "state", "firing, acknowledged, resolved or open")
            .Require(limit is > 0 and <= 1000, "limit", "1 to 1000").ThrowIfInvalid();
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<AlertRow>(new CommandDefinition(
            "SELECT a.*, r.name AS rule_name FROM alerts a JOIN alert_rules r ON r.id = a.rule_id WHERE (@state IS NULL OR a.state = @state OR (@state = 'open' AND a.state <> 'resolved')) " +
            "AND (@model IS NULL OR a.model = @model) ORDER BY a.fired_at DESC LIMIT @limit", new { state, model, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToContract()).ToList();
    }

    /// <summary>One alert.</summary>
    public async Task<Alert> GetAlertAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<AlertRow>(new CommandDefinition(
            "SELECT a.*, r.name AS rule_name FROM alerts a JOIN alert_rules r ON r.id = a.rule_id WHERE a.id = @id", new { id }, cancellationToken: cancellationToken));
        return row?.ToContract() ?? throw WardenProblemException.NotFound($"Alert '{id}'");
    }

    /// <summary>Acknowledges a firing alert (audited): someone is on it. It still resolves by itself.</summary>
    public async Task<Alert> AcknowledgeAsync(string id, AuditScope scope, CancellationToken cancellationToken)
    {
        var alert = await GetAlertAsync(id, cancellationToken);
        if (alert.State != "firing")
        {
            throw WardenProblemException.Conflict($"Alert '{id}' is {alert.State}; only a firing alert can be acknowledged.");
        }

        return await TransitionAsync(alert, "acknowledged", scope, cancellationToken);
    }

    /// <summary>Resolves an open alert by hand (audited).</summary>
    public async Task<Alert> ResolveAsync(string id, AuditScope scope, CancellationToken cancellationToken)
    {
        var alert = await GetAlertAsync(id, cancellationToken);
        if (alert.State == "resolved")
        {
            throw WardenProblemException.Conflict($"Alert '{id}' is already resolved.");
        }

        return await TransitionAsync(alert, "resolved", scope, cancellationToken);
    }

    private async Task<Alert> TransitionAsync(Alert alert, string state, AuditScope scope, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var uow = await database.BeginAsync(cancellationToken);
        await uow.ExecuteAsync(state == "acknowledged"
                ? "UPDATE alerts SET state = 'acknowledged', acknowledged_at = @now, acknowledged_by = @by WHERE id = @Id"
                : "UPDATE alerts SET state = 'resolved', resolved_at = @now WHERE id = @Id",
            new { alert.Id, now, by = scope.Actor.Name }, cancellationToken);
        await audit.AppendAsync(uow, scope, "alerts." + (state == "acknowledged" ? "acknowledge" : "resolve"), $"alert:{alert.Id}", new { alert.RuleId, alert.Metric },
            cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        var updated = await GetAlertAsync(alert.Id, cancellationToken);
        await NotifyAsync("alert." + state, updated, cancellationToken);
        return updated;
    }

    private readonly SemaphoreSlim _evaluating = new(1, 1);

    /// <inheritdoc />
    public void Dispose() => _evaluating.Dispose();

    /// <summary>Evaluates every rule once (one pass at a time, so an alert fires once).</summary>
    public async Task<AlertEvaluation> EvaluateAsync(CancellationToken cancellationToken)
    {
        await _evaluating.WaitAsync(cancellationToken);
        try
        {
            return await EvaluateAllAsync(cancellationToken);
        }
        finally
        {
            _evaluating.Release();
        }
    }

    private async Task<AlertEvaluation> EvaluateAllAsync(CancellationToken cancellationToken)
    {
        var rules = await ListRulesAsync(null, cancellationToken);
        var fired = new List<Alert>();
        var resolved = new List<Alert>();
        foreach (var rule in rules)
        {
            try
            {
                var (f, r) = await EvaluateRuleAsync(rule, cancellationToken);
                fired.AddRange(f);
                resolved.AddRange(r);
            }
            catch (WardenProblemException e)
            {
                // The model or version went away, or the alias is not held: nothing to judge.
                LogRuleSkipped(logger, rule.Id, e.Message);
            }
        }

        return new AlertEvaluation(rules.Count, fired, resolved);
    }

    private async Task<(List<Alert> Fired, List<Alert> Resolved)> EvaluateRuleAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        var version = rule.Version ?? await HolderAsync(rule.Model, rule.Alias, cancellationToken);
        if (version is null)
        {
            return ([], []);
        }

        var windows = await monitoring.RecentMetricsAsync(rule.Model, version.Value, rule.ConsecutiveWindows, cancellationToken);
        if (windows.Count < rule.ConsecutiveWindows)
        {
            return ([], []);
        }

        var labelled = rule.Metric.StartsWith("performance.", StringComparison.Ordinal) || rule.Metric is "fairness.equal_opportunity_difference" or "fairness.equalized_odds_difference";
        if (windows.Any(w => (labelled ? w.Labelled : w.Rows) < rule.MinimumSample))
        {
            return ([], []); // not enough to judge: neither fire nor resolve
        }

        // Candidates: the rule's feature, or every feature of the newest window; a feature breaches when every window does.
        var newest = windows[0];
        var candidates = newest.Values.TryGetValue(rule.Metric, out var byFeature)
            ? byFeature.Keys.Where(k => rule.Feature is null || k == rule.Feature).ToList()
            : [];
        var breaching = candidates
            .Where(feature => windows.All(w => w.Values.TryGetValue(rule.Metric, out var m) && m.TryGetValue(feature, out var value) && Breaches(rule, value)))
            .OrderByDescending(feature => Math.Abs(byFeature![feature] - rule.Threshold))
            .ToList();
        var open = await OpenAlertAsync(rule.Id, version.Value, cancellationToken);
        if (breaching.Count == 0)
        {
            if (open is null || candidates.Count == 0)
            {
                return ([], []);
            }

            var scope = SystemScope(open.Id);
            return ([], [await TransitionAsync(open, "resolved", scope, cancellationToken)]);
        }

        if (open is not null)
        {
            return ([], []);
        }

        var worst = breaching[0];
        var alert = await FireAsync(rule, version.Value, worst, byFeature![worst], newest, windows, cancellationToken);
        return ([alert], []);
    }

    private async Task<Alert> FireAsync(AlertRule rule, int version, string feature, double value, MonitoringService.WindowMetrics newest,
        IReadOnlyList<MonitoringService.WindowMetrics> windows, CancellationToken cancellationToken)
    {
        var id = "alert_" + Guid.CreateVersion7().ToString("N")[..20];
        var rootCause = await RootCauseAsync(rule, version, newest, cancellationToken);
        var now = time.GetUtcNow();
        await using (var uow = await database.BeginAsync(cancellationToken))
        {
            await uow.ExecuteAsync(
                "INSERT INTO alerts (id, rule_id, model, version, metric, feature, value, threshold, comparison, state, fired_at, window_start, action, root_cause) " +
                "VALUES (@id, @RuleId, @Model, @version, @Metric, @feature, @value, @Threshold, @Comparison, 'firing', @now, @start, @Action, @rootCause)",
                new { id, RuleId = rule.Id, rule.Model, version, rule.Metric, feature = feature.Length == 0 ? null : feature, value, rule.Threshold, rule.Comparison,
                    now = now.ToUnixTimeMilliseconds(), start = newest.Start, rule.Action, rootCause = JsonSerializer.Serialize(rootCause, JsonSerializerOptions.Web) },
                cancellationToken);
            await uow.CommitAsync(cancellationToken);
        }

        LogFired(logger, rule.Model, version, rule.Metric, feature, value, rule.Comparison, rule.Threshold, windows.Count);
        if (rule.Action != "notify")
        {
            var result = await ActAsync(rule, version, id, cancellationToken);
            await using var uow = await database.BeginAsync(cancellationToken);
            await uow.ExecuteAsync("UPDATE alerts SET action_result = @result WHERE id = @id", new { id, result }, cancellationToken);
            await uow.CommitAsync(cancellationToken);
        }

        var alert = await GetAlertAsync(id, cancellationToken);
        await NotifyAsync("alert.fired", alert, cancellationToken);
        return alert;
    }

    // The action runs as the system actor; what it changed is audited by the service that changes it (aliases.rollback,
    // traffic.set) and, whatever the outcome, by an alerts.action record naming the alert.
    private async Task<string> ActAsync(AlertRule rule, int version, string alertId, CancellationToken cancellationToken)
    {
        var scope = SystemScope(alertId);
        string result;
        try
        {
            if (rule.Action == "rollback")
            {
                var moved = await governance.RollbackAsync(rule.Model, rule.Alias, $"alert {alertId}: {rule.Name}", scope, cancellationToken);
                result = $"rolled back: {rule.Alias} now serves v{moved.Version} (was v{moved.PreviousVersion})";
            }
            else
            {
                var policy = await router.GetAsync(rule.Model, cancellationToken);
                if (!policy.Routes.Any(r => r.Alias == rule.Alias))
                {
                    result = $"not applied: {rule.Alias} takes no share of {rule.Model}'s traffic";
                }
                else if (!policy.Routes.Any(r => r.Alias != rule.Alias && r.Weight > 0))
                {
                    result = $"not applied: {rule.Alias} is the only route with traffic; zero would leave none";
                }
                else
                {
                    var routes = policy.Routes.Select(r => r.Alias == rule.Alias ? r with { Weight = 0 } : r).ToList();
                    await router.SetAsync(rule.Model, new TrafficPolicy(routes, policy.Shadows), scope, cancellationToken);
                    result = $"canary weight of {rule.Alias} set to 0";
                }
            }
        }
        catch (WardenProblemException e)
        {
            result = $"failed: {e.Message}";
        }

        await using var uow = await database.BeginAsync(cancellationToken);
        await audit.AppendAsync(uow, scope, "alerts.action", $"alert:{alertId}", new { rule = rule.Id, rule.Action, version, result }, cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        LogAction(logger, alertId, rule.Action, result);
        return result;
    }

    private async Task<IReadOnlyList<RootCauseItem>> RootCauseAsync(AlertRule rule, int version, MonitoringService.WindowMetrics newest, CancellationToken cancellationToken)
    {
        if (rule.Metric.StartsWith("drift.", StringComparison.Ordinal) && newest.Drift is { } drift)
        {
            var importance = await monitoring.ImportanceAsync(rule.Model, version, cancellationToken);
            return RootCause.RankDrift(drift, importance);
        }

        if (rule.Metric.StartsWith("performance.", StringComparison.Ordinal))
        {
            var baseline = await monitoring.BaselineAsync(rule.Model, version, newest.Start, cancellationToken);
            return RootCause.RankSegments(baseline, newest.Window);
        }

        if (rule.Metric.StartsWith("fairness.", StringComparison.Ordinal) && newest.Values.TryGetValue(rule.Metric, out var byAttribute))
        {
            return byAttribute.OrderByDescending(kv => Math.Abs(kv.Value - rule.Threshold))
                .Select(kv => new RootCauseItem(kv.Key, kv.Value, $"{rule.Metric} of {kv.Key} is {kv.Value.ToString("0.###", CultureInfo.InvariantCulture)}")).ToList();
        }

        if (newest.Values.TryGetValue(rule.Metric, out var values))
        {
            return values.OrderByDescending(kv => kv.Value).Take(10)
                .Select(kv => new RootCauseItem(kv.Key.Length == 0 ? rule.Metric : kv.Key, kv.Value, $"{rule.Metric} = {kv.Value.ToString("0.####", CultureInfo.InvariantCulture)}")).ToList();
        }

        return [];
    }

    private async Task NotifyAsync(string eventType, Alert alert, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var webhook = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT webhook FROM alert_rules WHERE id = @RuleId", new { alert.RuleId }, cancellationToken: cancellationToken));
        if (webhook is not null)
        {
            notifier.Enqueue(webhook, eventType, alert);
        }
    }

    private static AuditScope SystemScope(string alertId) => new() { Actor = AuditActor.System with { Name = "warden-alerts" }, RequestId = alertId };

    private static bool Breaches(AlertRule rule, double value) => rule.Comparison switch
    {
        ">" => value > rule.Threshold,
        ">=" => value >= rule.Threshold,
        "<" => value < rule.Threshold,
        _ => value <= rule.Threshold,
    };

    private async Task<int?> HolderAsync(string model, string alias, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            "SELECT v.version FROM aliases a JOIN models m ON m.id = a.model_id JOIN model_versions v ON v.id = a.version_id WHERE m.name = @model AND a.alias = @alias",
            new { model, alias }, cancellationToken: cancellationToken));
    }

    private async Task<Alert?> OpenAlertAsync(string ruleId, int version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QueryFirstOrDefaultAsync<AlertRow>(new CommandDefinition(
            "SELECT a.*, r.name AS rule_name FROM alerts a JOIN alert_rules r ON r.id = a.rule_id WHERE a.rule_id = @ruleId AND a.version = @version AND a.state <> 'resolved' ORDER BY a.fired_at DESC",
            new { ruleId, version }, cancellationToken: cancellationToken));
        return row?.ToContract();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ALERT {Model} v{Version}: {Metric}[{Feature}] = {Value} {Comparison} {Threshold} for {Windows} window(s)")]
    private static partial void LogFired(ILogger logger, string model, int version, string metric, string feature, double value, string comparison, double threshold, int windows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Alert}: action {Action}: {Result}")]
    private static partial void LogAction(ILogger logger, string alert, string action, string result);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Alert rule {Rule} skipped: {Reason}")]
    private static partial void LogRuleSkipped(ILogger logger, string rule, string reason);

    private sealed class RuleRow
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public string Model { get; set; } = "";
        public string Metric { get; set; } = "";
        public string Comparison { get; set; } = "";
        public double Threshold { get; set; }
        public string? Feature { get; set; }
        public long? Version { get; set; }
        public string Alias { get; set; } = "";
        public long Consecutive { get; set; }
        public long MinimumSample { get; set; }
        public string Action { get; set; } = "";
        public string? Webhook { get; set; }
        public long CreatedAt { get; set; }
        public string CreatedBy { get; set; } = "";
        public long? DeletedAt { get; set; }

        public AlertRule ToContract() => new(Id, Name, Model, Metric, Comparison, Threshold, Feature, (int?)Version, Alias, (int)Consecutive, MinimumSample, Action, Webhook,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), CreatedBy);
    }

    private sealed class AlertRow
    {
        public string Id { get; set; } = "";
        public string RuleId { get; set; } = "";
        public string RuleName { get; set; } = "";
        public string Model { get; set; } = "";
        public long Version { get; set; }
        public string Metric { get; set; } = "";
        public string? Feature { get; set; }
        public double Value { get; set; }
        public double Threshold { get; set; }
        public string Comparison { get; set; } = "";
        public string State { get; set; } = "";
        public long FiredAt { get; set; }
        public long WindowStart { get; set; }
        public long? AcknowledgedAt { get; set; }
        public string? AcknowledgedBy { get; set; }
        public long? ResolvedAt { get; set; }
        public string? Action { get; set; }
        public string? ActionResult { get; set; }
        public string RootCause { get; set; } = "[]";

        public Alert ToContract() => new(Id, RuleId, RuleName, Model, (int)Version, Metric, Feature, Value, Threshold, Comparison, State,
            DateTimeOffset.FromUnixTimeMilliseconds(FiredAt), DateTimeOffset.FromUnixTimeMilliseconds(WindowStart),
            AcknowledgedAt is { } a ? DateTimeOffset.FromUnixTimeMilliseconds(a) : null, AcknowledgedBy,
            ResolvedAt is { } r ? DateTimeOffset.FromUnixTimeMilliseconds(r) : null, Action, ActionResult,
            JsonSerializer.Deserialize<List<RootCauseItem>>(RootCause, JsonSerializerOptions.Web) ?? []);
    }
}
