using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Options;
using Warden.Contracts;
using Warden.Inference;
using Warden.Server.Audit;
using Warden.Server.Data;
using Warden.Server.Platform;
using Warden.Server.Registry;

namespace Warden.Server.Governance;

/// <summary>The lifecycle of versions: submission, validation runs, sign-offs under the tier's policy with segregation
/// of duties, compliance gates and their exceptions, stage aliases with history, retirement and periodic review.</summary>
public sealed partial class GovernanceService(
    WardenDatabase database,
    AuditLog audit,
    RegistryService registry,
    IArtifactStore artifacts,
    TimeProvider time,
    IOptions<GovernanceOptions> options,
    IEnumerable<IAliasChangeListener> listeners)
{
    private async Task NotifyAsync(string model)
    {
        foreach (var listener in listeners)
        {
            await listener.OnAliasesChangedAsync(model);
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,31}$", RegexOptions.NonBacktracking)]
    private static partial Regex AliasPattern();

    /// <summary>draft → submitted: freezes the card and classification and sets the review date if none was declared.</summary>
    public async Task<ModelVersionInfo> SubmitAsync(string name, int version, string reason, AuditScope scope, CancellationToken cancellationToken = default)
    {
        RequireText(reason, "reason");
        await using var uow = await database.BeginAsync(cancellationToken);
        var row = await RegistryService.FindVersionAsync(uow.Connection, uow.Transaction, name, version, cancellationToken);
        var now = time.GetUtcNow();
        await MoveAsync(uow, row, VersionStates.Submitted, reason, scope.Actor, now, cancellationToken);
        var review = row.ReviewDueAt ?? now.AddMonths(options.Value.For((int)row.RiskTier).ReviewMonths).ToUnixTimeMilliseconds();
        await uow.ExecuteAsync("UPDATE model_versions SET submitted_at = @at, review_due_at = @review WHERE id = @Id",
            new { at = now.ToUnixTimeMilliseconds(), review, row.Id }, cancellationToken);
        await audit.AppendAsync(uow, scope, "versions.submit", Target(name, version), new { reason, reviewDueAt = DateTimeOffset.FromUnixTimeMilliseconds(review) },
            cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return await registry.GetVersionAsync(name, version, cancellationToken);
    }

    /// <summary>Retires a version and removes any alias it holds.</summary>
    public async Task<ModelVersionInfo> RetireAsync(string name, int version, string reason, AuditScope scope, CancellationToken cancellationToken = default)
    {
        RequireText(reason, "reason");
        await using var uow = await database.BeginAsync(cancellationToken);
        var row = await RegistryService.FindVersionAsync(uow.Connection, uow.Transaction, name, version, cancellationToken);
        var now = time.GetUtcNow();
        await MoveAsync(uow, row, VersionStates.Retired, reason, scope.Actor, now, cancellationToken);
        var held = (await uow.QueryAsync<string>("SELECT alias FROM aliases WHERE version_id = @Id", new { row.Id }, cancellationToken)).ToList();
        foreach (var alias in held)
        {
            await RemoveAliasAsync(uow, row.ModelId, alias, row.Number, $"v{version} retired: {reason}", scope.Actor, now, cancellationToken);
        }

        await audit.AppendAsync(uow, scope, "versions.retire", Target(name, version), new { reason, aliasesRemoved = held }, cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        await NotifyAsync(name);
        return await registry.GetVersionAsync(name, version, cancellationToken);
    }

    /// <summary>Scores a labelled hold-out set with the version and records the metrics and per-group fairness as evidence.</summary>
    public async Task<ValidationRunInfo> RunValidationAsync(string name, int version, byte[] dataset, string labelColumn, string? positiveLabel,
        AuditScope scope, CancellationToken cancellationToken = default)
    {
        RequireText(labelColumn, "labelColumn");
        var model = await registry.FindModelAsync(name, cancellationToken);
        VersionRow row;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            row = await RegistryService.FindVersionAsync(connection, null, name, version, cancellationToken);
        }

        if (row.State == VersionStates.Retired)
        {
            throw WardenProblemException.Conflict($"{name} v{version} is retired; validation runs are for versions under review.");
        }

        CsvTable table;
        try
        {
            table = CsvTable.Parse(System.Text.Encoding.UTF8.GetString(dataset));
        }
        catch (CsvException e)
        {
            throw new WardenProblemException(StatusCodes.Status400BadRequest, "The data set could not be read.", e.Message);
        }

        if (!table.Has(labelColumn))
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]>
            {
                ["labelColumn"] = [$"the data set has no column '{labelColumn}'; its columns are {string.Join(", ", table.Columns)}"],
            });
        }

        if (table.Rows.Count < 2)
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]> { ["dataset"] = ["at least two rows are needed"] });
        }

        var content = await artifacts.GetAsync(row.ArtifactSha256, cancellationToken)
            ?? throw new InvalidOperationException($"artifact {row.ArtifactSha256} is missing from the artifact store");
        double[] scores;
        try
        {
            using var loaded = ModelRuntime.Load(content, row.ParsedSignature.Features, row.LabelColumn);
            scores = loaded.Score(table);
        }
        catch (ScoringException e)
        {
            throw new WardenProblemException(StatusCodes.Status400BadRequest, "The data set cannot be scored by this version.", e.Message);
        }

        Dictionary<string, double> metrics;
        long[][]? confusion = null;
        var fairness = new List<FairnessResult>();
        var labels = table.Column(labelColumn);
        if (model.Task == ModelTasks.Regression)
        {
            var truth = labels.Select((l, i) => ParseTruth(l, i, labelColumn)).ToArray();
            metrics = ValidationMetrics.Regression(truth, scores);
        }
        else
        {
            var truth = labels.Select((l, i) => IsPositive(l, positiveLabel, i, labelColumn) ? 1 : 0).ToArray();
            (metrics, confusion) = ValidationMetrics.Classification(truth, scores);
            foreach (var attribute in model.Sensitive.Where(a => table.Has(a.Name)))
            {
                var groups = table.Column(attribute.Name).Select(v => ValidationMetrics.GroupOf(v, attribute.Bins)).ToArray();
                fairness.Add(ValidationMetrics.Fairness(attribute.Name, groups, truth, scores));
            }
        }

        metrics["rows"] = table.Rows.Count;
        var fingerprint = Fingerprint(dataset, table);
        var now = time.GetUtcNow();
        var id = RegistryService.NewId("r");
        await using var uow = await database.BeginAsync(cancellationToken);
        await uow.ExecuteAsync(
            "INSERT INTO validation_runs (id, version_id, at, actor_key_id, actor_name, dataset, label_column, positive_label, metrics, confusion, fairness) " +
            "VALUES (@runId, @versionId, @at, @key, @actor, @dataset, @labelColumn, @positiveLabel, @metrics, @confusion, @fairness)",
            new
            {
                runId = id, versionId = row.Id, at = now.ToUnixTimeMilliseconds(), key = scope.Actor.KeyId, actor = scope.Actor.Name, dataset = RegistryJson.Write(fingerprint),
                labelColumn, positiveLabel, metrics = RegistryJson.Write(metrics), confusion = confusion is null ? null : RegistryJson.Write(confusion),
                fairness = RegistryJson.Write(fairness),
            }, cancellationToken);
        await audit.AppendAsync(uow, scope, "versions.validation_run", Target(name, version),
            new { run = id, dataset = fingerprint.Sha256, rows = fingerprint.Rows, metrics, fairness = fairness.Select(f => new { f.Attribute, f.DisparateImpact, f.EqualOpportunityDifference }) },
            cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return new ValidationRunInfo(id, version, DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()), scope.Actor.KeyId, scope.Actor.Name,
            fingerprint, labelColumn, positiveLabel, metrics, confusion, fairness);
    }

    /// <summary>Records a validation, approval or rejection, enforcing the tier's policy and segregation of duties, and
    /// moves the version on when the required sign-offs are complete.</summary>
    public async Task<ModelVersionInfo> SignOffAsync(string name, int version, string kind, string comment, AuditScope scope, CancellationToken cancellationToken = default)
    {
        RequireText(comment, "comment");
        await using var uow = await database.BeginAsync(cancellationToken);
        var row = await RegistryService.FindVersionAsync(uow.Connection, uow.Transaction, name, version, cancellationToken);
        var policy = options.Value.For((int)row.RiskTier);
        var existing = (await uow.QueryAsync<SignOffRow>(
            "SELECT version_id, kind, actor_key_id, actor_name, person, comment, at FROM version_signoffs WHERE version_id = @Id ORDER BY at",
            new { row.Id }, cancellationToken)).ToList();
        var now = time.GetUtcNow();
        string? moveTo = null;
        switch (kind)
        {
            case SignOffKinds.Validation:
                if (policy.Validators == 0)
                {
                    throw WardenProblemException.Conflict($"Tier {row.RiskTier} needs no validator sign-off; {name} v{version} goes straight to approval.");
                }

                RequireState(row, "A validation sign-off", VersionStates.Submitted);
                EnforceSegregation(row, existing, scope.Actor, kind);
                if (existing.Count(s => s.Kind == SignOffKinds.Validation) + 1 >= policy.Validators)
                {
                    moveTo = VersionStates.Validated;
                }

                break;
            case SignOffKinds.Approval:
                if (policy.Validators > 0)
                {
                    RequireState(row, "An approval", VersionStates.Validated);
                }
                else
                {
                    RequireState(row, "An approval", VersionStates.Submitted, VersionStates.Validated);
                }

                EnforceSegregation(row, existing, scope.Actor, kind);
                var report = await EvaluateGatesAsync(uow.Connection, uow.Transaction, row, cancellationToken);
                var failing = report.Gates.Where(g => g.Status == GateStatus.Fail).ToList();
                if (failing.Count > 0)
                {
                    throw new WardenProblemException(StatusCodes.Status409Conflict, "Compliance gates fail.",
                        $"{name} v{version} cannot be approved while these gates fail: " +
                        string.Join("; ", failing.Select(g => $"{g.Gate} ({g.Evidence})")) +
                        ". Fix them, or an admin may record a documented exception.",
                        new Dictionary<string, string[]> { ["gates"] = failing.Select(g => g.Gate).ToArray() });
                }

                if (existing.Count(s => s.Kind == SignOffKinds.Approval) + 1 >= policy.Approvers)
                {
                    moveTo = VersionStates.Approved;
                }

                break;
            case SignOffKinds.Rejection:
                RequireState(row, "A rejection", VersionStates.Submitted, VersionStates.Validated);
                moveTo = VersionStates.Rejected;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown sign-off kind");
        }

        await uow.ExecuteAsync(
            "INSERT INTO version_signoffs (id, version_id, kind, actor_key_id, actor_name, person, comment, at) VALUES (@signOffId, @versionId, @kind, @key, @actor, @person, @comment, @at)",
            new { signOffId = RegistryService.NewId("s"), versionId = row.Id, kind, key = scope.Actor.KeyId, actor = scope.Actor.Name, person = scope.Actor.Person, comment, at = now.ToUnixTimeMilliseconds() },
            cancellationToken);
        if (moveTo is not null)
        {
            var count = existing.Count(s => s.Kind == kind) + 1;
            await MoveAsync(uow, row, moveTo, kind == SignOffKinds.Rejection ? $"rejected: {comment}" : $"{count} {kind} sign-off(s) of {(kind == SignOffKinds.Validation ? policy.Validators : policy.Approvers)} required",
                scope.Actor, now, cancellationToken);
        }

        await audit.AppendAsync(uow, scope, $"versions.{(kind == SignOffKinds.Validation ? "validate" : kind == SignOffKinds.Approval ? "approve" : "reject")}",
            Target(name, version), new { comment, person = scope.Actor.Person, newState = moveTo }, cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return await registry.GetVersionAsync(name, version, cancellationToken);
    }

    /// <summary>Every configured gate for the version, with evidence.</summary>
    public async Task<GateReport> GatesAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await RegistryService.FindVersionAsync(connection, null, name, version, cancellationToken);
        return await EvaluateGatesAsync(connection, null, row, cancellationToken);
    }

    /// <summary>Records an admin's documented exception to a gate (audited); the gate then reports "excepted".</summary>
    public async Task<GateReport> AddGateExceptionAsync(string name, int version, GateExceptionRequest request, AuditScope scope, CancellationToken cancellationToken = default)
    {
        new Validator()
            .Require(Governance.Gates.All.Contains(request.Gate, StringComparer.Ordinal), "gate", $"must be one of {string.Join(", ", Governance.Gates.All)}")
            .Require(!string.IsNullOrWhiteSpace(request.Justification) && request.Justification.Trim().Length >= 20, "justification",
                "a documented exception needs a justification of at least 20 characters")
            .ThrowIfInvalid();
        await using var uow = await database.BeginAsync(cancellationToken);
        var row = await RegistryService.FindVersionAsync(uow.Connection, uow.Transaction, name, version, cancellationToken);
        RequireState(row, "A gate exception", VersionStates.Submitted, VersionStates.Validated);
        await uow.ExecuteAsync(
            "INSERT INTO gate_exceptions (id, version_id, gate, justification, actor_key_id, actor_name, at) VALUES (@exceptionId, @versionId, @Gate, @Justification, @key, @actor, @at)",
            new { exceptionId = RegistryService.NewId("x"), versionId = row.Id, request.Gate, Justification = request.Justification.Trim(), key = scope.Actor.KeyId, actor = scope.Actor.Name, at = time.GetUtcNow().ToUnixTimeMilliseconds() },
            cancellationToken);
        await audit.AppendAsync(uow, scope, "versions.gate_exception", Target(name, version), request, cancellationToken: cancellationToken);
        var report = await EvaluateGatesAsync(uow.Connection, uow.Transaction, row, cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return report;
    }

    /// <summary>Moves a stage alias to an approved version, atomically, with history and audit.</summary>
    public async Task<AliasEvent> PromoteAsync(string name, string alias, PromoteRequest request, AuditScope scope, CancellationToken cancellationToken = default)
    {
        new Validator()
            .Require(AliasPattern().IsMatch(alias ?? ""), "alias", "must be 1–32 characters of a–z, 0–9, '_' or '-', starting with a letter (e.g. champion)")
            .Require(!string.IsNullOrWhiteSpace(request.Reason), "reason", "is required")
            .ThrowIfInvalid();
        await using var uow = await database.BeginAsync(cancellationToken);
        var row = await RegistryService.FindVersionAsync(uow.Connection, uow.Transaction, name, request.Version, cancellationToken);
        var result = await AssignAsync(uow, row, alias!, request.Reason, scope.Actor, cancellationToken);
        await audit.AppendAsync(uow, scope, "aliases.promote", $"model:{name}@{alias}",
            new { version = request.Version, previous = result.PreviousVersion, request.Reason }, cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        await NotifyAsync(name);
        return result;
    }

    /// <summary>Returns an alias to the version that held it before the last change.</summary>
    public async Task<AliasEvent> RollbackAsync(string name, string alias, string reason, AuditScope scope, CancellationToken cancellationToken = default)
    {
        RequireText(reason, "reason");
        var model = await registry.FindModelAsync(name, cancellationToken);
        await using var uow = await database.BeginAsync(cancellationToken);
        var last = await uow.QuerySingleOrDefaultAsync<AliasEventRow>(
            "SELECT alias, version, previous_version, at, actor_key_id, actor_name, reason FROM alias_events WHERE model_id = @Id AND alias = @alias ORDER BY seq DESC LIMIT 1",
            new { model.Id, alias }, cancellationToken)
            ?? throw WardenProblemException.NotFound($"Alias '{alias}' of model '{name}'");
        if (last.PreviousVersion is null)
        {
            throw WardenProblemException.Conflict($"'{alias}' of '{name}' has no previous holder to roll back to.");
        }

        var row = await RegistryService.FindVersionAsync(uow.Connection, uow.Transaction, name, (int)last.PreviousVersion.Value, cancellationToken);
        var result = await AssignAsync(uow, row, alias, $"rollback: {reason}", scope.Actor, cancellationToken);
        await audit.AppendAsync(uow, scope, "aliases.rollback", $"model:{name}@{alias}",
            new { version = row.Number, previous = result.PreviousVersion, reason }, cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        await NotifyAsync(name);
        return result;
    }

    /// <summary>A model's alias history; with <paramref name="alias"/> and <paramref name="at"/>, also which version
    /// held it then and who approved that version.</summary>
    public async Task<ModelHistory> ModelHistoryAsync(string name, string? alias, DateTimeOffset? at, CancellationToken cancellationToken = default)
    {
        var model = await registry.FindModelAsync(name, cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var events = (await connection.QueryAsync<AliasEventRow>(new CommandDefinition(
            "SELECT alias, version, previous_version, at, actor_key_id, actor_name, reason FROM alias_events WHERE model_id = @Id AND (@alias IS NULL OR alias = @alias) ORDER BY seq",
            new { model.Id, alias }, cancellationToken: cancellationToken))).ToList();
        AliasHolding? holding = null;
        if (alias is not null && at is { } t)
        {
            var held = events.LastOrDefault(e => e.At <= t.ToUnixTimeMilliseconds());
            IReadOnlyList<SignOff> approvals = [];
            if (held?.Version is { } v)
            {
                approvals = (await connection.QueryAsync<SignOffRow>(new CommandDefinition(
                    "SELECT s.version_id, s.kind, s.actor_key_id, s.actor_name, s.person, s.comment, s.at FROM version_signoffs s JOIN model_versions mv ON mv.id = s.version_id " +
                    "WHERE mv.model_id = @Id AND mv.version = @v AND s.kind = 'approval' AND s.at <= @t ORDER BY s.at",
                    new { model.Id, v, t = t.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken))).Select(s => s.ToContract()).ToList();
            }

            holding = new AliasHolding(name, alias, t, (int?)held?.Version, held is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(held.At),
                held?.ActorName, approvals);
        }

        return new ModelHistory(name, events.Select(e => e.ToContract()).ToList(), holding);
    }

    /// <summary>Everything that happened to one version.</summary>
    public async Task<VersionHistory> VersionHistoryAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await RegistryService.FindVersionAsync(connection, null, name, version, cancellationToken);
        var transitions = (await connection.QueryAsync<(string From, string To, string Reason, string Key, string Actor, long At)>(new CommandDefinition(
            "SELECT from_state, to_state, reason, actor_key_id, actor_name, at FROM version_transitions WHERE version_id = @Id ORDER BY at, id",
            new { row.Id }, cancellationToken: cancellationToken)))
            .Select(t => new StateTransition(t.From, t.To, t.Reason, t.Key, t.Actor, DateTimeOffset.FromUnixTimeMilliseconds(t.At))).ToList();
        var signOffs = (await connection.QueryAsync<SignOffRow>(new CommandDefinition(
            "SELECT version_id, kind, actor_key_id, actor_name, person, comment, at FROM version_signoffs WHERE version_id = @Id ORDER BY at",
            new { row.Id }, cancellationToken: cancellationToken))).Select(s => s.ToContract()).ToList();
        var runs = await RunsAsync(connection, null, row, cancellationToken);
        var exceptions = (await connection.QueryAsync<(string Gate, string Justification, string Key, string Actor, long At)>(new CommandDefinition(
            "SELECT gate, justification, actor_key_id, actor_name, at FROM gate_exceptions WHERE version_id = @Id ORDER BY at",
            new { row.Id }, cancellationToken: cancellationToken)))
            .Select(x => new GateExceptionInfo(x.Gate, x.Justification, x.Key, x.Actor, DateTimeOffset.FromUnixTimeMilliseconds(x.At))).ToList();
        return new VersionHistory(name, version, transitions, signOffs, runs, exceptions);
    }

    /// <summary>Versions waiting for a validation or an approval, oldest first.</summary>
    public async Task<IReadOnlyList<QueueItem>> QueueAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<VersionRow>(new CommandDefinition(
            $"SELECT {RegistryService.VersionColumns} FROM model_versions v JOIN models m ON m.id = v.model_id WHERE v.state IN ('submitted', 'validated') ORDER BY v.submitted_at",
            cancellationToken: cancellationToken))).ToList();
        var items = new List<QueueItem>();
        foreach (var row in rows)
        {
            var policy = options.Value.For((int)row.RiskTier);
            var signOffs = (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT kind FROM version_signoffs WHERE version_id = @Id", new { row.Id }, cancellationToken: cancellationToken))).ToList();
            var gates = await EvaluateGatesAsync(connection, null, row, cancellationToken);
            items.Add(new QueueItem(row.ModelName, (int)row.RiskTier, row.Number, row.State, row.CreatedByName,
                DateTimeOffset.FromUnixTimeMilliseconds(row.SubmittedAt ?? row.CreatedAt),
                Math.Max(0, policy.Validators - signOffs.Count(k => k == SignOffKinds.Validation)),
                Math.Max(0, policy.Approvers - signOffs.Count(k => k == SignOffKinds.Approval)),
                gates.Gates.Where(g => g.Status == GateStatus.Fail).Select(g => g.Gate).ToList()));
        }

        return items;
    }

    /// <summary>Validation runs of a version, newest first.</summary>
    public async Task<IReadOnlyList<ValidationRunInfo>> ValidationRunsAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await RegistryService.FindVersionAsync(connection, null, name, version, cancellationToken);
        return (await RunsAsync(connection, null, row, cancellationToken)).AsEnumerable().Reverse().ToList();
    }

    /// <summary>Removes aliases held by versions whose periodic review is overdue (when the policy says so); returns how many.</summary>
    public async Task<int> SweepOverdueReviewsAsync(CancellationToken cancellationToken = default)
    {
        if (!options.Value.RemoveAliasWhenReviewOverdue)
        {
            return 0;
        }

        var now = time.GetUtcNow();
        await using var uow = await database.BeginAsync(cancellationToken);
        var overdue = (await uow.QueryAsync<(string ModelId, string Model, string Alias, long Version, long Due)>(
            "SELECT a.model_id, m.name, a.alias, v.version, v.review_due_at FROM aliases a JOIN model_versions v ON v.id = a.version_id JOIN models m ON m.id = a.model_id " +
            "WHERE v.review_due_at IS NOT NULL AND v.review_due_at <= @now",
            new { now = now.ToUnixTimeMilliseconds() }, cancellationToken)).ToList();
        foreach (var o in overdue)
        {
            var reason = $"periodic review of v{o.Version} was due {DateTimeOffset.FromUnixTimeMilliseconds(o.Due):yyyy-MM-dd}";
            await RemoveAliasAsync(uow, o.ModelId, o.Alias, o.Version, reason, AuditActor.System, now, cancellationToken);
            await audit.AppendAsync(uow, AuditActor.System, "review-sweep", "aliases.remove", $"model:{o.Model}@{o.Alias}", new { version = o.Version, reason },
                cancellationToken: cancellationToken);
        }

        await uow.CommitAsync(cancellationToken);
        foreach (var model in overdue.Select(o => o.Model).Distinct(StringComparer.Ordinal))
        {
            await NotifyAsync(model);
        }

        return overdue.Count;
    }

    private async Task<GateReport> EvaluateGatesAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, VersionRow row,
        CancellationToken cancellationToken)
    {
        var model = await connection.QuerySingleAsync<ModelRow>(new CommandDefinition(
            "SELECT id, name, owner, risk_tier, task, sensitive_attributes, tags, metric_thresholds, created_at, created_by FROM models WHERE id = @ModelId",
            new { row.ModelId }, transaction, cancellationToken: cancellationToken));
        var policy = options.Value.For(model.Tier);
        var runs = await RunsAsync(connection, transaction, row, cancellationToken);
        var latest = runs.LastOrDefault();
        var exceptions = (await connection.QueryAsync<(string Gate, string Justification, string Actor)>(new CommandDefinition(
            "SELECT gate, justification, actor_name FROM gate_exceptions WHERE version_id = @Id ORDER BY at", new { row.Id }, transaction, cancellationToken: cancellationToken)))
            .GroupBy(x => x.Gate).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var results = new List<GateResult>();
        foreach (var gate in policy.Gates)
        {
            var result = GateEvaluator.Evaluate(gate, model, row, latest, policy, time.GetUtcNow());
            if (result.Status == GateStatus.Fail && exceptions.TryGetValue(gate, out var x))
            {
                result = result with { Status = GateStatus.Excepted, Evidence = $"{result.Evidence} — exception by {x.Actor}: {x.Justification}" };
            }

            results.Add(result);
        }

        return new GateReport(row.Number, results.All(r => r.Status != GateStatus.Fail), results);
    }

    private static async Task<List<ValidationRunInfo>> RunsAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, VersionRow row,
        CancellationToken cancellationToken) =>
        (await connection.QueryAsync<ValidationRunRow>(new CommandDefinition(
            "SELECT r.id, v.version, r.at, r.actor_key_id, r.actor_name, r.dataset, r.label_column, r.positive_label, r.metrics, r.confusion, r.fairness " +
            "FROM validation_runs r JOIN model_versions v ON v.id = r.version_id WHERE r.version_id = @Id ORDER BY r.at, r.id",
            new { row.Id }, transaction, cancellationToken: cancellationToken))).Select(r => r.ToContract()).ToList();

    private async Task<AliasEvent> AssignAsync(UnitOfWork uow, VersionRow row, string alias, string reason, AuditActor actor, CancellationToken cancellationToken)
    {
        if (row.State != VersionStates.Approved)
        {
            throw WardenProblemException.Conflict($"Only approved versions may hold a stage alias; {row.ModelName} v{row.Version} is {row.State}.");
        }

        var now = time.GetUtcNow();
        if (RegistryService.IsOverdue(row, now.ToUnixTimeMilliseconds()))
        {
            throw WardenProblemException.Conflict($"{row.ModelName} v{row.Version} is past its periodic review date ({DateTimeOffset.FromUnixTimeMilliseconds(row.ReviewDueAt!.Value):yyyy-MM-dd}); review it before promoting.");
        }

        var current = await uow.QuerySingleOrDefaultAsync<long?>(
            "SELECT v.version FROM aliases a JOIN model_versions v ON v.id = a.version_id WHERE a.model_id = @ModelId AND a.alias = @alias",
            new { row.ModelId, alias }, cancellationToken);
        if (current == row.Version)
        {
            throw WardenProblemException.Conflict($"v{row.Version} already holds '{alias}'.");
        }

        await uow.ExecuteAsync("DELETE FROM aliases WHERE model_id = @ModelId AND alias = @alias", new { row.ModelId, alias }, cancellationToken);
        await uow.ExecuteAsync("INSERT INTO aliases (model_id, alias, version_id, assigned_at, assigned_by) VALUES (@ModelId, @alias, @Id, @at, @by)",
            new { row.ModelId, alias, row.Id, at = now.ToUnixTimeMilliseconds(), by = actor.KeyId }, cancellationToken);
        await RecordAliasEventAsync(uow, row.ModelId, alias, row.Number, (int?)current, reason, actor, now, cancellationToken);
        return new AliasEvent(alias, row.Number, (int?)current, DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()), actor.KeyId, actor.Name, reason);
    }

    private static async Task RemoveAliasAsync(UnitOfWork uow, string modelId, string alias, long version, string reason, AuditActor actor, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await uow.ExecuteAsync("DELETE FROM aliases WHERE model_id = @modelId AND alias = @alias", new { modelId, alias }, cancellationToken);
        await RecordAliasEventAsync(uow, modelId, alias, null, (int)version, reason, actor, now, cancellationToken);
    }

    private static Task RecordAliasEventAsync(UnitOfWork uow, string modelId, string alias, int? version, int? previous, string reason, AuditActor actor,
        DateTimeOffset at, CancellationToken cancellationToken) =>
        uow.ExecuteAsync(
            "INSERT INTO alias_events (id, seq, model_id, alias, version, previous_version, at, actor_key_id, actor_name, reason) " +
            "VALUES (@id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM alias_events), @modelId, @alias, @version, @previous, @at, @key, @name, @reason)",
            new { id = RegistryService.NewId("a"), modelId, alias, version, previous, at = at.ToUnixTimeMilliseconds(), key = actor.KeyId, name = actor.Name, reason },
            cancellationToken);

    private static async Task MoveAsync(UnitOfWork uow, VersionRow row, string to, string reason, AuditActor actor, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!Lifecycle.IsAllowed(row.State, to))
        {
            var allowed = Lifecycle.AllowedFrom(row.State);
            throw new WardenProblemException(StatusCodes.Status409Conflict, "Illegal lifecycle transition.",
                $"{row.ModelName} v{row.Version} cannot go from {row.State} to {to}; allowed from {row.State}: {(allowed.Count == 0 ? "none" : string.Join(", ", allowed))}.",
                new Dictionary<string, string[]> { ["allowedTransitions"] = [.. allowed] });
        }

        await uow.ExecuteAsync("UPDATE model_versions SET state = @to, updated_at = @at WHERE id = @Id", new { to, at = at.ToUnixTimeMilliseconds(), row.Id }, cancellationToken);
        await RegistryService.RecordTransitionAsync(uow, row.Id, row.State, to, reason, actor, at, cancellationToken);
        row.State = to;
    }

    private static void RequireState(VersionRow row, string what, params string[] states)
    {
        if (!states.Contains(row.State, StringComparer.Ordinal))
        {
            throw WardenProblemException.Conflict($"{what} needs the version to be {string.Join(" or ", states)}; {row.ModelName} v{row.Version} is {row.State}.");
        }
    }

    private static void EnforceSegregation(VersionRow row, IReadOnlyList<SignOffRow> existing, AuditActor actor, string kind)
    {
        if (string.Equals(row.CreatedByPerson, actor.Person, StringComparison.Ordinal))
        {
            throw new WardenProblemException(StatusCodes.Status403Forbidden, "Segregation of duties.",
                $"Segregation of duties: {actor.Name} authored {row.ModelName} v{row.Version} and cannot give its {kind} sign-off.");
        }

        var previous = existing.FirstOrDefault(s => s.Kind is SignOffKinds.Validation or SignOffKinds.Approval && string.Equals(s.Person, actor.Person, StringComparison.Ordinal));
        if (previous is not null)
        {
            throw new WardenProblemException(StatusCodes.Status403Forbidden, "Segregation of duties.",
                $"Segregation of duties: {actor.Person} already gave the {previous.Kind} sign-off on {row.ModelName} v{row.Version}; one person cannot give two of the required sign-offs.");
        }
    }

    private static void RequireText(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 4000)
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]> { [field] = ["is required (1–4,000 characters)"] });
        }
    }

    private static bool IsPositive(string label, string? positive, int row, string column)
    {
        if (positive is not null)
        {
            return string.Equals(label.Trim(), positive, StringComparison.Ordinal);
        }

        return label.Trim().ToLowerInvariant() switch
        {
            "1" or "true" or "yes" => true,
            "0" or "false" or "no" => false,
            _ => throw WardenProblemException.Validation(new Dictionary<string, string[]>
            {
                ["positiveLabel"] = [$"row {row + 1} of '{column}' is '{label}': give positiveLabel to say which value is the positive class"],
            }),
        };
    }

    private static double ParseTruth(string label, int row, string column) =>
        double.TryParse(label, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
        : throw WardenProblemException.Validation(new Dictionary<string, string[]> { ["labelColumn"] = [$"row {row + 1} of '{column}' is not a number: '{label}'"] });

    private static DataFingerprint Fingerprint(byte[] content, CsvTable table) => new(
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)),
        table.Rows.Count,
        table.Columns.Select(c => new ColumnSchema(c, table.Column(c).All(v => v.Length == 0 || double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) ? "numeric" : "string")).ToList());

    private static string Target(string name, int version) => $"model:{name}/v{version}";

    private sealed class AliasEventRow
    {
        public string Alias { get; set; } = "";
        public long? Version { get; set; }
        public long? PreviousVersion { get; set; }
        public long At { get; set; }
        public string ActorKeyId { get; set; } = "";
        public string ActorName { get; set; } = "";
        public string Reason { get; set; } = "";

        public AliasEvent ToContract() => new(Alias, (int?)Version, (int?)PreviousVersion, DateTimeOffset.FromUnixTimeMilliseconds(At), ActorKeyId, ActorName, Reason);
    }
}
