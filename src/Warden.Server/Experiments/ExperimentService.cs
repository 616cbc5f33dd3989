using System.Text.RegularExpressions;
using Dapper;
using Warden.Contracts;
using Warden.Experimentation.Analysis;
using Warden.Server.Audit;
using Warden.Server.Data;
using Warden.Server.Platform;
using Warden.Server.Registry;

namespace Warden.Server.Experiments;

/// <summary>Experiments as control-plane records: definition, arms (approved versions that hold an alias), phases, and the
/// lifecycle draft → running → stopped → concluded. Every change is one unit of work with its audit record; the routing
/// snapshot is refreshed after the commit.</summary>
public sealed partial class ExperimentService(WardenDatabase database, AuditLog audit, RegistryService registry, ExperimentRouter router, TimeProvider time)
{
    [GeneratedRegex("^[a-z][a-z0-9_-]{0,63}$", RegexOptions.NonBacktracking)]
    private static partial Regex NamePattern();

    /// <summary>Creates a draft.</summary>
    public async Task<ExperimentInfo> CreateAsync(CreateExperimentRequest request, AuditScope scope, CancellationToken cancellationToken = default)
    {
        var metrics = request.Metrics ?? [];
        var kind = request.Kind ?? ExperimentKinds.AB;
        var bandit = kind switch
        {
            ExperimentKinds.Bandit => request.Bandit ?? new BanditSettings(),
            ExperimentKinds.LinUcb => (request.Bandit ?? new BanditSettings()) with { Policy = BanditPolicies.LinUcb },
            _ => null,
        };
        var features = request.ContextFeatures ?? [];
        var v = new Validator()
            .Require(NamePattern().IsMatch(request.Name ?? ""), "name", "must be 1–64 characters of a–z, 0–9, '_' or '-', starting with a letter")
            .Require(!string.IsNullOrWhiteSpace(request.Model), "model", "is required")
            .Require(ExperimentKinds.All.Contains(kind), "kind", $"must be one of {string.Join(", ", ExperimentKinds.All)}")
            .Require(!string.IsNullOrWhiteSpace(request.UnitType) && request.UnitType.Length <= 64, "unitType", "is required (1–64 characters)")
            .Require(!string.IsNullOrWhiteSpace(request.HashAttribute) && request.HashAttribute.Length <= 64, "hashAttribute", "is required (1–64 characters)")
            .Require(request.Seed is null || request.Seed.Length is > 0 and <= 128, "seed", "must be 1–128 characters")
            .Require(request.Coverage is > 0 and <= 1, "coverage", "must be in (0, 1]")
            .Require(request.Alpha is > 0 and < 0.5, "alpha", "must be in (0, 0.5)")
            .Require(request.Mde is null or > 0, "mde", "must be positive (relative, 0.05 = 5 %)")
            .Require(request.PlannedSampleSize is null or > 0, "plannedSampleSize", "must be positive")
            .Require(request.SequentialTuning is null or (>= 10 and <= 1e9), "sequentialTuning", "must be between 10 and 10⁹ units")
            .Require(request.Hypothesis is null || request.Hypothesis.Length <= 4000, "hypothesis", "at most 4,000 characters")
            .Require(request.Namespace is null || (!string.IsNullOrWhiteSpace(request.Namespace.Id) && request.Namespace.Start >= 0 &&
                                                   request.Namespace.End <= 1 && request.Namespace.Start < request.Namespace.End), "namespace", "needs an id and 0 ≤ start < end ≤ 1")
            .Require(request.Holdout is null || (!string.IsNullOrWhiteSpace(request.Holdout.Seed) && request.Holdout.Fraction is > 0 and < 1), "holdout",
                "needs a seed and a fraction in (0, 1)");
        ValidateMetrics(v, metrics);
        ValidateArms(v, request.Arms, "arms");
        v.Require(features.Count <= 20 && features.All(f => !string.IsNullOrWhiteSpace(f) && f.Length <= 128), "contextFeatures", "give at most 20 feature names")
            .Require(features.Distinct(StringComparer.Ordinal).Count() == features.Count, "contextFeatures", "must differ")
            .Require(kind != ExperimentKinds.LinUcb || features.Count > 0, "contextFeatures", "linucb chooses arms from numeric features of the request record: name 1–20")
            .Require(kind != ExperimentKinds.LinUcb || metrics.All(m => m?.Role != MetricRoles.Primary || m.Kind != MetricKinds.Ratio), "metrics",
                "linucb learns from a per-unit reward: the primary metric cannot be a ratio");
        if (bandit is not null)
        {
            var armCount = request.Arms?.Count ?? 2;
            v.Require(kind == ExperimentKinds.LinUcb || BanditPolicies.All.Contains(bandit.Policy), "bandit.policy", $"must be one of {string.Join(", ", BanditPolicies.All)}")
                .Require(bandit.Exploration is >= 0 and <= 10, "bandit.exploration", "must be in [0, 10]")
                .Require(bandit.Floor >= 0 && bandit.Floor * armCount <= 1, "bandit.floor", "must be between 0 and 1/arms")
                .Require(bandit.UpdateMinutes is > 0 and <= 60 * 24 * 31, "bandit.updateMinutes", "must be between 0 and 44,640 minutes")
                .Require(bandit.Epsilon is >= 0 and <= 1, "bandit.epsilon", "must be in [0, 1]");
        }

        v.ThrowIfInvalid();
        var primary = metrics.First(m => m.Role == MetricRoles.Primary);
        var planned = request.PlannedSampleSize ?? PlannedSize(primary, request);
        var definition = new ExperimentDefinition(request.UnitType.Trim(), request.HashAttribute.Trim(), 2, metrics, request.Namespace, request.Holdout,
            request.Mde, request.Baseline, request.StandardDeviation, planned, request.Alpha, bandit, request.Hypothesis,
            request.SequentialTuning ?? (planned is { } p ? p * request.Arms!.Count : 5000), features);
        var model = await registry.FindModelAsync(request.Model, cancellationToken);
        CheckNativeAttributes(metrics, model.Sensitive);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var id = RegistryService.NewId("e");
        await using var uow = await database.BeginAsync(cancellationToken);
        var arms = await ResolveArmsAsync(uow, request.Model, request.Arms!, cancellationToken);
        await CheckContextFeaturesAsync(uow, request.Model, arms, features, numeric: kind == ExperimentKinds.LinUcb, cancellationToken);
        if (await uow.QuerySingleOrDefaultAsync<string>("SELECT id FROM experiments WHERE name = @Name", new { request.Name }, cancellationToken) is not null)
        {
            throw WardenProblemException.Conflict($"An experiment named '{request.Name}' already exists.");
        }

        await uow.ExecuteAsync(
            "INSERT INTO experiments (id, name, model_id, kind, status, definition, phase, created_at, created_by, created_by_name, created_by_person, updated_at) " +
            "VALUES (@id, @Name, @modelId, @kind, 'draft', @definition, 1, @now, @key, @actor, @person, @now)",
            new { id, request.Name, modelId = model.Id, kind, definition = ExperimentJson.Write(definition), now, key = scope.Actor.KeyId, actor = scope.Actor.Name, person = scope.Actor.Person },
            cancellationToken);
        await InsertPhaseAsync(uow, id, 1, 1, now, request.Seed ?? request.Name!, request.Coverage, arms, "created", scope.Actor.Name, cancellationToken);
        await audit.AppendAsync(uow, scope, "experiments.create", Target(request.Name!),
            new { model = request.Model, kind, arms = arms.Select(a => new { a.Name, a.Version, a.Alias, a.Weight, a.Control }), metrics = metrics.Select(m => new { m.Name, m.Kind, m.Role }), planned },
            cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return await GetAsync(request.Name!, cancellationToken);
    }

    /// <summary>One experiment.</summary>
    public async Task<ExperimentInfo> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await FindAsync(connection, null, name, cancellationToken);
        return await ToInfoAsync(connection, row, cancellationToken);
    }

    /// <summary>Experiments, newest first, optionally of one model or status.</summary>
    public async Task<IReadOnlyList<ExperimentInfo>> ListAsync(string? model, string? status, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<ExperimentRow>(new CommandDefinition(
            $"SELECT {ExperimentRow.Columns} {ExperimentRow.From} WHERE (@model IS NULL OR m.name = @model) AND (@status IS NULL OR e.status = @status) ORDER BY e.created_at DESC, e.id DESC",
            new { model, status }, cancellationToken: cancellationToken))).ToList();
        var list = new List<ExperimentInfo>(rows.Count);
        foreach (var row in rows)
        {
            list.Add(await ToInfoAsync(connection, row, cancellationToken));
        }

        return list;
    }

    /// <summary>draft → running: the arms must still be approved and hold their aliases; no other experiment may cover the same units.</summary>
    public async Task<ExperimentInfo> StartAsync(string name, string reason, AuditScope scope, CancellationToken cancellationToken = default)
    {
        RequireText(reason, "reason");
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var uow = await database.BeginAsync(cancellationToken);
        var row = await FindAsync(uow.Connection, uow.Transaction, name, cancellationToken);
        RequireStatus(row, "Starting", ExperimentStatuses.Draft);
        var phase = await CurrentPhaseAsync(uow.Connection, uow.Transaction, row, cancellationToken);
        await ResolveArmsAsync(uow, row.ModelName, phase.ParsedArms.Select(a => new ExperimentArmRequest(a.Name, a.Version, a.Weight, a.Control)).ToList(), cancellationToken);
        var definition = row.Parsed;
        var others = (await uow.QueryAsync<ExperimentRow>($"SELECT {ExperimentRow.Columns} {ExperimentRow.From} WHERE e.model_id = @ModelId AND e.status IN ('running', 'stopped') AND e.id <> @Id",
            new { row.ModelId, row.Id }, cancellationToken)).ToList();
        foreach (var other in others)
        {
            var o = other.Parsed.Namespace;
            var mine = definition.Namespace;
            var disjoint = o is not null && mine is not null && o.Id == mine.Id && (o.End <= mine.Start || mine.End <= o.Start);
            if (!disjoint)
            {
                throw WardenProblemException.Conflict($"Experiment '{other.Name}' ({other.Status}) already covers units of '{row.ModelName}'; conclude it, or give both " +
                                                      "experiments disjoint slices of the same namespace.");
            }
        }

        await uow.ExecuteAsync("UPDATE experiments SET status = 'running', started_at = @now, updated_at = @now WHERE id = @Id", new { now, row.Id }, cancellationToken);
        await uow.ExecuteAsync("UPDATE experiment_phases SET started_at = @now WHERE experiment_id = @Id AND phase = @Phase", new { now, row.Id, row.Phase }, cancellationToken);
        if (row.Kind == ExperimentKinds.Bandit)
        {
            await InsertAllocationAsync(uow, row.Id, 0, now, phase.ParsedArms.Select(a => a.Weight).ToArray(), null, "initial weights", cancellationToken);
        }
        else if (row.Kind == ExperimentKinds.LinUcb)
        {
            var arms = phase.ParsedArms.Count;
            await InsertAllocationAsync(uow, row.Id, 0, now, Enumerable.Repeat(1.0 / arms, arms).ToArray(), null,
                "no rewards yet: every context ties, so units are spread evenly by the tie-break", cancellationToken);
        }

        await audit.AppendAsync(uow, scope, "experiments.start", Target(name), new { reason }, cancellationToken: cancellationToken);
        uow.AfterCommit(router.Invalidate);
        await uow.CommitAsync(cancellationToken);
        return await GetAsync(name, cancellationToken);
    }

    /// <summary>running → stopped: no new exposures; the experiment's units are served by control until it is concluded.</summary>
    public Task<ExperimentInfo> StopAsync(string name, string reason, AuditScope scope, CancellationToken cancellationToken = default) =>
        StopAsync(name, reason, scope.Actor, scope.RequestId, "experiments.stop", scope, cancellationToken);

    internal async Task<ExperimentInfo> StopAsync(string name, string reason, AuditActor actor, string requestId, string action, AuditScope? scope,
        CancellationToken cancellationToken)
    {
        RequireText(reason, "reason");
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var uow = await database.BeginAsync(cancellationToken);
        var row = await FindAsync(uow.Connection, uow.Transaction, name, cancellationToken);
        RequireStatus(row, "Stopping", ExperimentStatuses.Running);
        await uow.ExecuteAsync("UPDATE experiments SET status = 'stopped', stopped_at = @now, stop_reason = @reason, updated_at = @now WHERE id = @Id",
            new { now, reason, row.Id }, cancellationToken);
        if (scope is not null)
        {
            await audit.AppendAsync(uow, scope, action, Target(name), new { reason }, cancellationToken: cancellationToken);
        }
        else
        {
            await audit.AppendAsync(uow, actor, requestId, action, Target(name), new { reason }, cancellationToken: cancellationToken);
        }

        uow.AfterCommit(router.Invalidate);
        await uow.CommitAsync(cancellationToken);
        return await GetAsync(name, cancellationToken);
    }

    /// <summary>stopped (or draft) → concluded, with the conclusion; the model's traffic policy serves everyone again.</summary>
    public async Task<ExperimentInfo> ConcludeAsync(string name, string conclusion, AuditScope scope, CancellationToken cancellationToken = default)
    {
        RequireText(conclusion, "reason");
        await using var uow = await database.BeginAsync(cancellationToken);
        var row = await FindAsync(uow.Connection, uow.Transaction, name, cancellationToken);
        RequireStatus(row, "Concluding", ExperimentStatuses.Stopped, ExperimentStatuses.Draft);
        await ConcludeAsync(uow, row, conclusion, cancellationToken);
        await audit.AppendAsync(uow, scope, "experiments.conclude", Target(name), new { conclusion }, cancellationToken: cancellationToken);
        uow.AfterCommit(router.Invalidate);
        await uow.CommitAsync(cancellationToken);
        return await GetAsync(name, cancellationToken);
    }

    internal async Task ConcludeAsync(UnitOfWork uow, ExperimentRow row, string conclusion, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await uow.ExecuteAsync(
            "UPDATE experiments SET status = 'concluded', concluded_at = @now, conclusion = @conclusion, stopped_at = COALESCE(stopped_at, @now), updated_at = @now WHERE id = @Id",
            new { now, conclusion, row.Id }, cancellationToken);
    }

    /// <summary>Starts a new phase of a running experiment. Changed weights or coverage keep every assigned unit on its arm
    /// (sticky; new units follow the new weights); changed arms re-randomise everyone and therefore need <c>reseed</c>.</summary>
    public async Task<ExperimentInfo> NewPhaseAsync(string name, NewPhaseRequest request, AuditScope scope, CancellationToken cancellationToken = default)
    {
        var v = new Validator().Require(!string.IsNullOrWhiteSpace(request.Reason), "reason", "is required")
            .Require(request.Coverage is null or (> 0 and <= 1), "coverage", "must be in (0, 1]");
        ValidateArms(v, request.Arms, "arms");
        v.ThrowIfInvalid();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var uow = await database.BeginAsync(cancellationToken);
        var row = await FindAsync(uow.Connection, uow.Transaction, name, cancellationToken);
        RequireStatus(row, "A new phase", ExperimentStatuses.Running);
        var current = await CurrentPhaseAsync(uow.Connection, uow.Transaction, row, cancellationToken);
        var arms = await ResolveArmsAsync(uow, row.ModelName, request.Arms!, cancellationToken);
        var old = current.ParsedArms;
        var sameArms = old.Count == arms.Count && old.Zip(arms).All(p => p.First.Name == p.Second.Name && p.First.Version == p.Second.Version && p.First.Control == p.Second.Control);
        if (!sameArms && !request.Reseed)
        {
            throw WardenProblemException.Conflict("Changing the arms re-randomises every unit. Send reseed=true to do so explicitly " +
                                                  "(a new seed: results restart in the new phase), or keep the arms and change only weights or coverage.");
        }

        var phase = (int)row.Phase + 1;
        var epoch = request.Reseed ? phase : current.Epoch;
        var seed = request.Reseed ? $"{row.Name}:{phase}" : current.Seed;
        await InsertPhaseAsync(uow, row.Id, phase, (int)epoch, now, seed, request.Coverage ?? current.Coverage, arms, request.Reason, scope.Actor.Name, cancellationToken);
        await uow.ExecuteAsync("UPDATE experiments SET phase = @phase, updated_at = @now WHERE id = @Id", new { phase, now, row.Id }, cancellationToken);
        if (row.Kind is ExperimentKinds.Bandit or ExperimentKinds.LinUcb)
        {
            var next = await uow.QuerySingleOrDefaultAsync<long?>("SELECT MAX(period) FROM experiment_allocations WHERE experiment_id = @Id", new { row.Id }, cancellationToken) ?? -1;
            await InsertAllocationAsync(uow, row.Id, (int)next + 1, now, arms.Select(a => a.Weight).ToArray(), null, $"phase {phase}: {request.Reason}", cancellationToken);
        }

        await audit.AppendAsync(uow, scope, "experiments.phase", Target(name),
            new { phase, reseed = request.Reseed, request.Reason, arms = arms.Select(a => new { a.Name, a.Version, a.Weight }), coverage = request.Coverage ?? current.Coverage },
            cancellationToken: cancellationToken);
        uow.AfterCommit(router.Invalidate);
        await uow.CommitAsync(cancellationToken);
        return await GetAsync(name, cancellationToken);
    }

    /// <summary>Units per arm for a two-sided test of a relative MDE (statsmodels NormalIndPower / Cohen's h).</summary>
    public static PowerResult Power(PowerRequest request)
    {
        new Validator()
            .Require(request.Kind is MetricKinds.Binomial or MetricKinds.Continuous or MetricKinds.Count, "kind", "must be binomial, continuous or count")
            .Require(request.Mde > 0 && double.IsFinite(request.Mde), "mde", "must be positive (relative)")
            .Require(request.Alpha is > 0 and < 0.5, "alpha", "must be in (0, 0.5)")
            .Require(request.Power is > 0.5 and < 1, "power", "must be in (0.5, 1)")
            .Require(request.Arms is >= 2 and <= 10, "arms", "must be 2–10")
            .Require(request.Kind != MetricKinds.Binomial || (request.Baseline is > 0 and < 1 && request.Baseline * (1 + request.Mde) < 1), "baseline",
                "binomial: a conversion rate in (0, 1) that stays below 1 after the lift")
            .Require(request.Kind == MetricKinds.Binomial || (request.Baseline != 0 && double.IsFinite(request.Baseline)), "baseline", "must be a non-zero mean")
            .Require(request.Kind == MetricKinds.Binomial || request.StandardDeviation is > 0, "standardDeviation", "is required for continuous metrics")
            .ThrowIfInvalid();
        // Each treatment is compared with control: Bonferroni over the comparisons keeps the family-wise error at alpha.
        var alpha = request.Alpha / (request.Arms - 1);
        double n, effect;
        string method;
        if (request.Kind == MetricKinds.Binomial)
        {
            var treatment = request.Baseline * (1 + request.Mde);
            effect = PowerAnalysis.CohenH(request.Baseline, treatment);
            n = PowerAnalysis.SampleSizeForProportions(request.Baseline, treatment, alpha, request.Power);
            method = "two proportions, Cohen's h, normal approximation (statsmodels NormalIndPower)";
        }
        else
        {
            var mde = Math.Abs(request.Baseline * request.Mde);
            effect = mde / request.StandardDeviation!.Value;
            n = PowerAnalysis.SampleSizeForMeans(mde, request.StandardDeviation.Value, alpha, request.Power);
            method = "two means, normal approximation (statsmodels NormalIndPower)";
        }

        var perArm = (long)Math.Ceiling(n);
        return new PowerResult(perArm, perArm * request.Arms, effect, request.Arms > 2 ? method + $", α split over {request.Arms - 1} comparisons" : method);
    }

    private static long? PlannedSize(ExperimentMetric primary, CreateExperimentRequest request)
    {
        if (request.Mde is not { } mde || request.Baseline is not { } baseline)
        {
            return null;
        }

        var kind = primary.Kind == MetricKinds.Binomial ? MetricKinds.Binomial : MetricKinds.Continuous;
        return Power(new PowerRequest(kind, baseline, mde, request.StandardDeviation, request.Alpha, 0.8, request.Arms.Count)).UnitsPerArm;
    }

    internal static async Task<ExperimentRow> FindAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, string name,
        CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<ExperimentRow>(new CommandDefinition(
            $"SELECT {ExperimentRow.Columns} {ExperimentRow.From} WHERE e.name = @name", new { name }, transaction, cancellationToken: cancellationToken))
        ?? throw WardenProblemException.NotFound($"Experiment '{name}'");

    internal static async Task<PhaseRow> CurrentPhaseAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, ExperimentRow row,
        CancellationToken cancellationToken) =>
        await connection.QuerySingleAsync<PhaseRow>(new CommandDefinition(
            $"SELECT {PhaseRow.Columns} FROM experiment_phases WHERE experiment_id = @Id AND phase = @Phase", new { row.Id, row.Phase }, transaction,
            cancellationToken: cancellationToken));

    internal static Task InsertAllocationAsync(UnitOfWork uow, string experimentId, int period, long at, double[] weights, double[]? probabilityBest, string reason,
        CancellationToken cancellationToken) =>
        uow.ExecuteAsync(
            "INSERT INTO experiment_allocations (experiment_id, period, at, weights, probability_best, reason) VALUES (@experimentId, @period, @at, @weights, @best, @reason)",
            new { experimentId, period, at, weights = ExperimentJson.Write(weights), best = probabilityBest is null ? null : ExperimentJson.Write(probabilityBest), reason },
            cancellationToken);

    internal static string Target(string name) => $"experiment:{name}";

    private static Task InsertPhaseAsync(UnitOfWork uow, string experimentId, int phase, int epoch, long at, string seed, double coverage, IReadOnlyList<ExperimentArm> arms,
        string reason, string actor, CancellationToken cancellationToken) =>
        uow.ExecuteAsync(
            "INSERT INTO experiment_phases (experiment_id, phase, epoch, started_at, seed, coverage, arms, reason, actor_name) " +
            "VALUES (@experimentId, @phase, @epoch, @at, @seed, @coverage, @arms, @reason, @actor)",
            new { experimentId, phase, epoch, at, seed, coverage, arms = ExperimentJson.Write(arms), reason, actor }, cancellationToken);

    private static async Task<ExperimentInfo> ToInfoAsync(System.Data.Common.DbConnection connection, ExperimentRow row, CancellationToken cancellationToken)
    {
        var phases = (await connection.QueryAsync<PhaseRow>(new CommandDefinition(
            $"SELECT {PhaseRow.Columns} FROM experiment_phases WHERE experiment_id = @Id ORDER BY phase", new { row.Id }, cancellationToken: cancellationToken))).ToList();
        var d = row.Parsed;
        var current = phases.Single(p => p.Phase == row.Phase);
        return new ExperimentInfo(row.Name, row.ModelName, row.Kind, row.Status, d.UnitType, d.HashAttribute, d.HashVersion, current.Coverage, d.Namespace, d.Holdout,
            current.ParsedArms, d.Metrics, d.Mde, d.PlannedSampleSize, d.Alpha, d.Bandit, d.Hypothesis, (int)row.Phase, phases.Select(p => p.ToContract()).ToList(),
            DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt), row.CreatedByName, Time(row.StartedAt), Time(row.StoppedAt), row.StopReason, Time(row.ConcludedAt),
            row.Conclusion, d.SequentialTuning, d.Features);
        static DateTimeOffset? Time(long? ms) => ms is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t) : null;
    }

    /// <summary>Each arm's version must be approved and hold an alias: serving reaches versions through aliases only
    /// (DeploymentTable), so that is how an arm is served. Weights are normalised (equal when none are given).</summary>
    private static async Task<List<ExperimentArm>> ResolveArmsAsync(UnitOfWork uow, string model, IReadOnlyList<ExperimentArmRequest> requested, CancellationToken cancellationToken)
    {
        var arms = new List<ExperimentArm>();
        var total = requested.All(a => a.Weight is null) ? requested.Count : requested.Sum(a => a.Weight!.Value);
        var control = requested.Any(a => a.Control) ? requested.ToList().FindIndex(a => a.Control) : 0;
        for (var i = 0; i < requested.Count; i++)
        {
            var arm = requested[i];
            var version = await RegistryService.FindVersionAsync(uow.Connection, uow.Transaction, model, arm.Version, cancellationToken);
            if (version.State != VersionStates.Approved)
            {
                throw WardenProblemException.Conflict($"Arm '{arm.Name}': {model} v{arm.Version} is {version.State}; only approved versions can be served in an experiment.");
            }

            var aliases = (await uow.QueryAsync<string>("SELECT alias FROM aliases WHERE version_id = @Id ORDER BY alias", new { version.Id }, cancellationToken)).ToList();
            if (aliases.Count == 0)
            {
                throw WardenProblemException.Conflict($"Arm '{arm.Name}': {model} v{arm.Version} holds no alias. Serving reaches versions through aliases; " +
                                                      "promote it to one first (e.g. challenger).");
            }

            var alias = aliases.Contains("champion") ? "champion" : aliases.Contains("challenger") ? "challenger" : aliases[0];
            arms.Add(new ExperimentArm(arm.Name, arm.Version, alias, (arm.Weight ?? 1) / total, i == control));
        }

        return arms;
    }

    /// <summary>Context features are logged with exposures, so each must be a feature of every arm's version classified public
    /// (unclassified features count as personal); a contextual bandit also needs them numeric.</summary>
    private static async Task CheckContextFeaturesAsync(UnitOfWork uow, string model, IReadOnlyList<ExperimentArm> arms, IReadOnlyList<string> features, bool numeric,
        CancellationToken cancellationToken)
    {
        if (features.Count == 0)
        {
            return;
        }

        var problems = new List<string>();
        foreach (var arm in arms)
        {
            var version = await RegistryService.FindVersionAsync(uow.Connection, uow.Transaction, model, arm.Version, cancellationToken);
            var declared = version.ParsedSignature.Features.ToDictionary(f => f.Name, f => f.Kind, StringComparer.Ordinal);
            var classes = version.Classification.ToDictionary(c => c.Feature, c => c.Classification, StringComparer.Ordinal);
            foreach (var feature in features)
            {
                if (!declared.TryGetValue(feature, out var kind))
                {
                    problems.Add($"'{feature}' is not a feature of v{arm.Version}");
                }
                else if (classes.GetValueOrDefault(feature) != "public")
                {
                    problems.Add($"'{feature}' is not classified public in v{arm.Version} (context values are stored with exposures)");
                }
                else if (numeric && kind != FeatureKinds.Numeric)
                {
                    problems.Add($"'{feature}' is {kind} in v{arm.Version}; linucb needs numeric features");
                }
            }
        }

        if (problems.Count > 0)
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]> { ["contextFeatures"] = problems.Distinct(StringComparer.Ordinal).ToArray() });
        }
    }

    private static void ValidateArms(Validator v, IReadOnlyList<ExperimentArmRequest>? arms, string field)
    {
        v.Require(arms is { Count: >= 2 and <= 10 }, field, "give 2–10 arms");
        if (arms is null)
        {
            return;
        }

        v.Require(arms.All(a => a is not null && NamePattern().IsMatch(a.Name ?? "")), field, "each arm needs a name of a–z, 0–9, '_' or '-' (e.g. control, treatment)")
            .Require(arms.Where(a => a is not null).Select(a => a.Name).Distinct(StringComparer.Ordinal).Count() == arms.Count, field, "arm names must differ")
            .Require(arms.Where(a => a is not null).Select(a => a.Version).Distinct().Count() == arms.Count, field, "each version may be one arm only")
            .Require(arms.All(a => a is null || a.Version > 0), field, "versions are positive numbers")
            .Require(arms.All(a => a is null || a.Weight is null) || arms.All(a => a?.Weight is { } w && double.IsFinite(w) && w > 0), field,
                "give a positive weight to every arm, or to none (equal weights)")
            .Require(arms.Count(a => a?.Control == true) <= 1, field, "at most one control arm");
    }

    private static void ValidateMetrics(Validator v, IReadOnlyList<ExperimentMetric> metrics)
    {
        v.Require(metrics.Count is >= 1 and <= 20, "metrics", "give 1–20 metrics")
            .Require(metrics.Count(m => m?.Role == MetricRoles.Primary) == 1, "metrics", "exactly one metric must have role primary");
        foreach (var (m, i) in metrics.Select((m, i) => (m, i)))
        {
            var f = $"metrics[{i}]";
            if (m is null)
            {
                v.Require(false, f, "is null");
                continue;
            }

            if (m.Kind == MetricKinds.Native)
            {
                ValidateNative(v, m, f);
                continue;
            }

            v.Require(m.Feature is null && m.Max is null && m.Min is null && m.Margin is null && m.MinimumSample is null, f,
                    "feature, max, min, margin and minimumSample belong to native metrics (kind native)")
                .Require(!string.IsNullOrWhiteSpace(m.Name) && m.Name.Length <= 64, f + ".name", "the feedback value name (1–64 characters)")
                .Require(MetricKinds.All.Contains(m.Kind), f + ".kind", $"must be one of {string.Join(", ", MetricKinds.All)}")
                .Require(m.Role is MetricRoles.Primary or MetricRoles.Secondary or MetricRoles.Guardrail, f + ".role", "must be primary, secondary or guardrail")
                .Require((m.Kind == MetricKinds.Ratio) == !string.IsNullOrWhiteSpace(m.Denominator), f + ".denominator", "ratio metrics (and only they) name a denominator value")
                .Require(m.CapUpper is null || m.CapQuantile is null, f, "cap by a value or by a quantile, not both")
                .Require(m.CapQuantile is null or (> 0 and < 1), f + ".capQuantile", "must be in (0, 1)")
                .Require(m.CapUpper is null || double.IsFinite(m.CapUpper.Value), f + ".capUpper", "must be finite")
                .Require(m.Covariate is null || m.Kind != MetricKinds.Ratio, f + ".covariate", "CUPED is not available for ratio metrics");
        }
    }

    private static void ValidateNative(Validator v, ExperimentMetric m, string f)
    {
        var known = NativeMetrics.All.Contains(m.Name);
        v.Require(known, f + ".name", $"a native metric is one of {string.Join(", ", NativeMetrics.All)}")
            .Require(m.Role is MetricRoles.Secondary or MetricRoles.Guardrail, f + ".role",
                "a native metric is secondary or guardrail (the primary metric comes from feedback)")
            .Require(!known || NativeMetrics.NeedsFeature(m.Name) == !string.IsNullOrWhiteSpace(m.Feature), f + ".feature",
                NativeMetrics.NeedsFeature(m.Name) ? $"{m.Name} needs the feature or sensitive attribute it is about" : $"{m.Name} takes no feature")
            .Require(m.Denominator is null && m.Covariate is null && m.CapUpper is null && m.CapQuantile is null && !m.Inverse, f,
                "native metrics take no denominator, covariate, capping or inverse (their direction is fixed)")
            .Require(m.Max is null || double.IsFinite(m.Max.Value), f + ".max", "must be finite")
            .Require(m.Min is null || double.IsFinite(m.Min.Value), f + ".min", "must be finite")
            .Require(m.Margin is null or (>= 0 and <= 100), f + ".margin", "a relative margin between 0 and 100 (0.2 = 20 % worse than control)")
            .Require(m.MinimumSample is null or (>= 1 and <= 1_000_000_000), f + ".minimumSample", "must be between 1 and 10⁹")
            .Require(m.Role != MetricRoles.Guardrail || m.Max is not null || m.Min is not null || m.Margin is not null, f,
                "a native guardrail needs a limit: max, min or margin (relative to control)");
    }

    /// <summary>A fairness metric must name a sensitive attribute of the model (monitoring measures fairness on those only).</summary>
    private static void CheckNativeAttributes(IReadOnlyList<ExperimentMetric> metrics, IReadOnlyList<SensitiveAttribute> sensitive)
    {
        var unknown = metrics.Where(m => m.Kind == MetricKinds.Native && m.Name.StartsWith("fairness.", StringComparison.Ordinal) &&
                                         sensitive.All(a => a.Name != m.Feature)).Select(m => m.Feature).ToList();
        if (unknown.Count > 0)
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]>
            {
                ["metrics"] = [$"'{string.Join("', '", unknown)}' is not a sensitive attribute of the model ({(sensitive.Count == 0 ? "it declares none" : string.Join(", ", sensitive.Select(a => a.Name)))})"],
            });
        }
    }

    private static void RequireStatus(ExperimentRow row, string what, params string[] statuses)
    {
        if (!statuses.Contains(row.Status, StringComparer.Ordinal))
        {
            throw WardenProblemException.Conflict($"{what} needs the experiment to be {string.Join(" or ", statuses)}; '{row.Name}' is {row.Status}.");
        }
    }

    private static void RequireText(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 4000)
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]> { [field] = ["is required (1–4,000 characters)"] });
        }
    }
}
