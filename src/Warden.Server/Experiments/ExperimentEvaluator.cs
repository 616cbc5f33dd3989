using Dapper;
using Microsoft.Extensions.Options;
using Warden.Contracts;
using Warden.Experimentation.Analysis;
using Warden.Experimentation.Bandits;
using Warden.Experimentation.Numerics;
using Warden.Server.Audit;
using Warden.Server.Data;
using Warden.Server.Monitoring;
using Warden.Server.Platform;
using Warden.Server.Registry;

namespace Warden.Server.Experiments;

/// <summary>Results and decisions: reads exposures and outcomes, computes results (<see cref="ExperimentAnalysis"/>), and on
/// each evaluation stops an experiment whose guardrail is breached (automatically, audited, no approval: its units go back
/// to control), proposes a significant winner for promotion, and moves a bandit's weights on its cadence.</summary>
public sealed partial class ExperimentEvaluator(
    WardenDatabase database,
    AuditLog audit,
    ExperimentService experiments,
    ExperimentRouter router,
    ExperimentServingStats serving,
    MonitoringService monitoring,
    IOptions<MonitoringOptions> monitoringOptions,
    TimeProvider time,
    ILogger<ExperimentEvaluator> logger)
{
    /// <summary>Results of a phase (default: the current one).</summary>
    public async Task<ExperimentResults> ResultsAsync(string name, int? phase = null, CancellationToken cancellationToken = default)
    {
        var (row, input, phaseNumber, phaseStart) = await LoadAsync(name, phase, cancellationToken);
        var (arms, srm, metrics, winner, breaches) = ExperimentAnalysis.Compute(input);
        if (row.Kind == ExperimentKinds.LinUcb)
        {
            // A contextual bandit sends different contexts to different arms, so the arms' means are not comparable: no winner here
            // (compare "always arm X" policies with off-policy evaluation instead).
            winner = null;
        }

        var served = await serving.ReadAsync(row.Id, phaseNumber, input.Arms, cancellationToken);
        var now = time.GetUtcNow();
        var native = await ExperimentNativeMetrics.ComputeAsync(row.Parsed.Metrics, row.ModelName, input.Arms, served, phaseStart, now.ToUnixTimeMilliseconds(), monitoring,
            monitoringOptions.Value.Window, cancellationToken);
        var nativeBreaches = ExperimentNativeMetrics.Breaches(native).ToList();
        if (nativeBreaches.Count > 0)
        {
            breaches = [.. breaches, .. nativeBreaches];
            winner = null;
        }

        return new ExperimentResults(row.Name, row.ModelName, row.Status, phaseNumber, now, arms.Sum(a => a.Units), arms, srm, metrics, winner, breaches, served, native);
    }

    /// <summary>The primary metric's always-valid (sequential) interval of the relative lift of each treatment arm at
    /// <paramref name="points"/> moments from the phase's start to now (or the stop).</summary>
    public async Task<IReadOnlyList<IntervalPoint>> TimelineAsync(string name, int points = 12, CancellationToken cancellationToken = default)
    {
        var (row, input, _, _) = await LoadAsync(name, null, cancellationToken);
        if (input.Exposures.Count == 0)
        {
            return [];
        }

        var start = input.Exposures.Min(e => e.FirstSeenAt);
        var end = Math.Max(row.StoppedAt ?? time.GetUtcNow().ToUnixTimeMilliseconds(), input.Exposures.Max(e => e.FirstSeenAt));
        if (input.Observations.Count > 0)
        {
            end = Math.Max(end, input.Observations.Max(o => o.At));
        }

        points = Math.Clamp(points, 2, 100);
        var result = new List<IntervalPoint>();
        for (var i = 1; i <= points; i++)
        {
            var cutoff = start + (end - start) * i / points;
            var (arms, _, metrics, _, _) = ExperimentAnalysis.Compute(input, cutoff);
            var primary = metrics.First(m => m.Role == MetricRoles.Primary);
            foreach (var a in primary.Arms.Where(a => a.Sequential is not null))
            {
                result.Add(new IntervalPoint(DateTimeOffset.FromUnixTimeMilliseconds(cutoff), a.Arm, arms.First(x => x.Arm == a.Arm).Units,
                    a.Sequential!.Estimate, a.Sequential.CiLower, a.Sequential.CiUpper));
            }
        }

        return result;
    }

    /// <summary>A bandit's allocation history, oldest first.</summary>
    public async Task<IReadOnlyList<BanditAllocationRecord>> AllocationsAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await ExperimentService.FindAsync(connection, null, name, cancellationToken);
        var phases = (await connection.QueryAsync<PhaseRow>(new CommandDefinition(
            $"SELECT {PhaseRow.Columns} FROM experiment_phases WHERE experiment_id = @Id ORDER BY phase", new { row.Id }, cancellationToken: cancellationToken))).ToList();
        var rows = await connection.QueryAsync<AllocationRow>(new CommandDefinition(
            "SELECT experiment_id, period, at, weights, probability_best, reason FROM experiment_allocations WHERE experiment_id = @Id ORDER BY period",
            new { row.Id }, cancellationToken: cancellationToken));
        return rows.Select(r =>
        {
            var arms = phases.Last(p => p.StartedAt <= r.At || p.Phase == 1).ParsedArms;
            var weights = r.ParsedWeights;
            var best = r.ProbabilityBest is null ? null : System.Text.Json.JsonSerializer.Deserialize<double[]>(r.ProbabilityBest, ExperimentJson.Options);
            return new BanditAllocationRecord((int)r.Period, DateTimeOffset.FromUnixTimeMilliseconds(r.At),
                arms.Select((a, i) => (a.Name, W: i < weights.Length ? weights[i] : 0)).ToDictionary(x => x.Name, x => x.W, StringComparer.Ordinal),
                best is null ? null : arms.Select((a, i) => (a.Name, P: i < best.Length ? best[i] : 0)).ToDictionary(x => x.Name, x => x.P, StringComparer.Ordinal), r.Reason);
        }).ToList();
    }

    /// <summary>A contextual bandit's served shares per period within buckets of its first context feature (each value when there
    /// are at most four, else the quartiles of the logged values), from the logged decisions of the current epoch.</summary>
    internal async Task<IReadOnlyList<ContextBucketAllocation>> ContextAllocationsAsync(string name, CancellationToken cancellationToken = default)
    {
        await router.FlushAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await ExperimentService.FindAsync(connection, null, name, cancellationToken);
        var features = row.Parsed.Features;
        if (features.Count == 0)
        {
            return [];
        }

        var phase = await ExperimentService.CurrentPhaseAsync(connection, null, row, cancellationToken);
        var arms = phase.ParsedArms;
        var decisions = (await connection.QueryAsync<Exposure>(new CommandDefinition(
                "SELECT unit_id, arm, period, context FROM experiment_exposures WHERE experiment_id = @Id AND epoch = @Epoch AND context IS NOT NULL",
                new { row.Id, phase.Epoch }, cancellationToken: cancellationToken)))
            .Select(e => (e.Arm, e.Period, Value: ContextualPolicy.Numeric(e.Context, features)?[0]))
            .Where(d => d.Value is not null && d.Arm >= 0 && d.Arm < arms.Count).Select(d => (d.Arm, d.Period, Value: d.Value!.Value)).ToList();
        if (decisions.Count == 0)
        {
            return [];
        }

        var distinct = decisions.Select(d => d.Value).Distinct().Order().ToList();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var feature = features[0];
        List<(string Label, Func<double, bool> Contains)> buckets;
        if (distinct.Count <= 4)
        {
            buckets = distinct.Select(v => ($"{feature} = {v.ToString("G6", inv)}", (Func<double, bool>)(x => x == v))).ToList();
        }
        else
        {
            var sorted = decisions.Select(d => d.Value).Order().ToArray();
            var edges = new[] { 0.25, 0.5, 0.75 }.Select(q => sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(q * sorted.Length))]).Distinct().ToList();
            buckets = [];
            for (var i = 0; i <= edges.Count; i++)
            {
                double? lo = i == 0 ? null : edges[i - 1], hi = i == edges.Count ? null : edges[i];
                var label = (lo, hi) switch
                {
                    (null, { } h) => $"{feature} < {h.ToString("G6", inv)}",
                    ({ } l, null) => $"{feature} ≥ {l.ToString("G6", inv)}",
                    _ => $"{lo!.Value.ToString("G6", inv)} ≤ {feature} < {hi!.Value.ToString("G6", inv)}",
                };
                buckets.Add((label, x => (lo is null || x >= lo) && (hi is null || x < hi)));
            }
        }

        return buckets.Select(b => new ContextBucketAllocation(b.Label, decisions.Where(d => b.Contains(d.Value)).GroupBy(d => d.Period).OrderBy(g => g.Key)
                .Select(g => (Period: g.Key, Units: g.Count(), Shares: arms.Select((a, i) => (a.Name, Share: g.Count(d => d.Arm == i) / (double)g.Count()))
                    .ToDictionary(x => x.Name, x => x.Share, StringComparer.Ordinal)))
                .Select(p => new ContextBucketPeriod(p.Period, p.Units, p.Shares)).ToList()))
            .Where(b => b.Periods.Count > 0).ToList();
    }

    /// <summary>Evaluates one running experiment: guardrails first (a breach stops it), then the bandit's reallocation when
    /// due (or <paramref name="force"/>d), then a winner (a promotion proposal, once).</summary>
    public async Task<IReadOnlyList<ExperimentDecision>> EvaluateAsync(string name, bool force, AuditActor actor, string requestId,
        CancellationToken cancellationToken = default)
    {
        var results = await ResultsAsync(name, null, cancellationToken);
        var decisions = new List<ExperimentDecision>();
        if (results.Status != ExperimentStatuses.Running)
        {
            return [new ExperimentDecision(name, "none", $"the experiment is {results.Status}")];
        }

        if (results.GuardrailBreaches.Count > 0)
        {
            var reason = "guardrail breached: " + string.Join("; ", results.GuardrailBreaches);
            await experiments.StopAsync(name, reason, actor, requestId, "experiments.guardrail_stop", null, cancellationToken);
            LogGuardrailStop(logger, name, reason);
            return [new ExperimentDecision(name, "stopped", reason)];
        }

        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            var row = await ExperimentService.FindAsync(connection, null, name, cancellationToken);
            var update = row.Kind switch
            {
                ExperimentKinds.Bandit => await ReallocateAsync(row, force, actor, requestId, cancellationToken),
                ExperimentKinds.LinUcb => await RefitAsync(row, force, actor, requestId, cancellationToken),
                _ => null,
            };
            if (update is { } reallocated)
            {
                decisions.Add(reallocated);
            }
        }

        if (results.Winner is { } winner && results.Srm?.Mismatch != true)
        {
            var proposal = await ProposeAsync(name, results, winner, actor, requestId, cancellationToken);
            if (proposal is not null)
            {
                decisions.Add(proposal);
            }
        }

        return decisions.Count > 0 ? decisions : [new ExperimentDecision(name, "none", "no guardrail breached, no significant winner yet")];
    }

    /// <summary>Evaluates every running experiment (the background timer).</summary>
    internal async Task EvaluateAllAsync(CancellationToken cancellationToken)
    {
        router.Invalidate();
        foreach (var active in (await router.ActiveAsync(cancellationToken)).Where(a => a.Status == ExperimentStatuses.Running))
        {
            try
            {
                await EvaluateAsync(active.Name, force: false, AuditActor.System, "experiment-evaluator", cancellationToken);
            }
            catch (Exception e) when (e is WardenProblemException or InvalidOperationException)
            {
                LogEvaluationFailed(logger, e, active.Name);
            }
        }
    }

    // A bandit's next period is due when forced or when its cadence has passed since the last allocation: then the last
    // allocation (null before the first), the current phase and the primary metric; otherwise null.
    private static async Task<(AllocationRow? Last, PhaseRow Phase, ExperimentMetric Primary)?> DuePeriodAsync(UnitOfWork uow, ExperimentRow row,
        BanditSettings bandit, long now, bool force, CancellationToken cancellationToken)
    {
        var last = await uow.QuerySingleOrDefaultAsync<AllocationRow>(
            "SELECT experiment_id, period, at, weights, probability_best, reason FROM experiment_allocations WHERE experiment_id = @Id ORDER BY period DESC LIMIT 1",
            new { row.Id }, cancellationToken);
        if (!force && last is not null && now - last.At < bandit.UpdateMinutes * 60_000)
        {
            return null;
        }

        var phase = await ExperimentService.CurrentPhaseAsync(uow.Connection, uow.Transaction, row, cancellationToken);
        return (last, phase, row.Parsed.Metrics.First(m => m.Role == MetricRoles.Primary));
    }

    private async Task<ExperimentDecision?> ReallocateAsync(ExperimentRow row, bool force, AuditActor actor, string requestId, CancellationToken cancellationToken)
    {
        var bandit = row.Parsed.Bandit ?? new BanditSettings();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await router.FlushAsync(cancellationToken);
        await using var uow = await database.BeginAsync(cancellationToken);
        if (await DuePeriodAsync(uow, row, bandit, now, force, cancellationToken) is not var (last, phase, primary))
        {
            return null;
        }

        var arms = phase.ParsedArms;
        var exposures = (await uow.QueryAsync<Exposure>(
            "SELECT unit_id, arm, period, first_seen_at FROM experiment_exposures WHERE experiment_id = @Id AND phase = @Phase", new { row.Id, row.Phase }, cancellationToken)).ToList();
        if (exposures.Count == 0)
        {
            return null;
        }

        var outcomes = ExperimentAnalysis.Outcomes((await uow.QueryAsync<Observation>(
            "SELECT unit_id, name, value, at FROM experiment_observations WHERE experiment_id = @Id AND name = @Name", new { row.Id, primary.Name }, cancellationToken)).ToList());
        var periods = exposures.GroupBy(e => e.Period).OrderBy(g => g.Key).Select(g => (IReadOnlyList<MeanStatistic>)Enumerable.Range(0, arms.Count)
            .Select(a => MeanStatistic.FromValues(g.Where(e => e.Arm == a).Select(e => ExperimentAnalysis.UnitValue(primary, outcomes.GetValueOrDefault(e.UnitId))).ToArray()))
            .ToList()).ToList();
        var (weights, best) = Allocate(bandit, primary.Inverse, periods, arms.Count, seed: (ulong)((last?.Period ?? 0) + 1) ^ GrowthSeed(row.Name));
        var period = (int)(last?.Period ?? -1) + 1;
        var reason = $"{bandit.Policy} on {primary.Name}: {string.Join(", ", arms.Select((a, i) => $"{a.Name} {weights[i]:P1}"))} from {exposures.Count} units";
        await ExperimentService.InsertAllocationAsync(uow, row.Id, period, now, weights, best, reason, cancellationToken);
        await audit.AppendAsync(uow, actor, requestId, "experiments.reallocate", ExperimentService.Target(row.Name),
            new { period, weights = arms.Select((a, i) => new { arm = a.Name, weight = weights[i] }), units = exposures.Count }, cancellationToken: cancellationToken);
        uow.AfterCommit(router.Invalidate);
        await uow.CommitAsync(cancellationToken);
        return new ExperimentDecision(row.Name, "reallocated", reason);
    }

    /// <summary>A linucb experiment's update on its cadence: a new period whose start is the cut-off from which every replica refits
    /// the model (decisions logged and outcomes known by then); the weights recorded are the arms' shares of the last period's
    /// decisions (what the contexts led the policy to do), for the allocation history.</summary>
    private async Task<ExperimentDecision?> RefitAsync(ExperimentRow row, bool force, AuditActor actor, string requestId, CancellationToken cancellationToken)
    {
        var bandit = row.Parsed.Bandit ?? new BanditSettings();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await router.FlushAsync(cancellationToken);
        await using var uow = await database.BeginAsync(cancellationToken);
        if (await DuePeriodAsync(uow, row, bandit, now, force, cancellationToken) is not var (last, phase, primary))
        {
            return null;
        }

        var arms = phase.ParsedArms;
        var lastPeriod = (int)(last?.Period ?? -1);
        var counts = (await uow.QueryAsync<Exposure>(
            "SELECT arm FROM experiment_exposures WHERE experiment_id = @Id AND epoch = @Epoch AND period = @lastPeriod",
            new { row.Id, phase.Epoch, lastPeriod }, cancellationToken)).GroupBy(e => e.Arm).ToDictionary(g => g.Key, g => g.Count());
        var total = counts.Values.Sum();
        var decisions = await uow.QuerySingleOrDefaultAsync<long>(
            "SELECT COUNT(*) FROM experiment_exposures WHERE experiment_id = @Id AND epoch = @Epoch AND context IS NOT NULL", new { row.Id, phase.Epoch }, cancellationToken);
        var shares = total == 0 ? last?.ParsedWeights ?? arms.Select(_ => 1.0 / arms.Count).ToArray()
            : Enumerable.Range(0, arms.Count).Select(a => counts.GetValueOrDefault(a) / (double)total).ToArray();
        var period = lastPeriod + 1;
        var reason = $"linucb on {primary.Name}: refitted from {decisions:N0} logged decisions with their outcomes so far; period {lastPeriod} served " +
                     string.Join(", ", arms.Select((a, i) => $"{a.Name} {shares[i]:P1}"));
        await ExperimentService.InsertAllocationAsync(uow, row.Id, period, now, shares, null, reason, cancellationToken);
        await audit.AppendAsync(uow, actor, requestId, "experiments.reallocate", ExperimentService.Target(row.Name),
            new { period, refit = true, decisions, shares = arms.Select((a, i) => new { arm = a.Name, share = shares[i] }) }, cancellationToken: cancellationToken);
        uow.AfterCommit(router.Invalidate);
        await uow.CommitAsync(cancellationToken);
        return new ExperimentDecision(row.Name, "reallocated", reason);
    }

    /// <summary>New weights from per-period statistics: Thompson via <see cref="BanditAllocator"/> (probability of being best,
    /// period-weighted); UCB1 and ε-greedy on the same period-weighted means; every arm keeps the floor.</summary>
    internal static (double[] Weights, double[]? ProbabilityBest) Allocate(BanditSettings bandit, bool inverse, IReadOnlyList<IReadOnlyList<MeanStatistic>> periods, int arms,
        ulong seed)
    {
        if (bandit.Policy == BanditPolicies.Thompson)
        {
            var allocation = BanditAllocator.Compute(periods, new BanditAllocationOptions { MinimumWeight = bandit.Floor, Inverse = inverse }, new SeededRandom(seed));
            return ([.. allocation.Weights], [.. allocation.ProbabilityBest]);
        }

        var (means, _) = BanditAllocator.PeriodWeightedEstimates(periods, arms);
        var sign = inverse ? -1 : 1;
        var counts = Enumerable.Range(0, arms).Select(a => periods.Sum(p => p[a].N)).ToArray();
        var total = counts.Sum();
        var shares = new double[arms];
        if (bandit.Policy == BanditPolicies.Ucb1)
        {
            var index = Enumerable.Range(0, arms).Select(a => counts[a] == 0 ? double.PositiveInfinity : sign * means[a] + Math.Sqrt(2 * Math.Log(Math.Max(total, 1)) / counts[a])).ToArray();
            shares[Array.IndexOf(index, index.Max())] = 1;
        }
        else
        {
            var scored = Enumerable.Range(0, arms).Select(a => counts[a] == 0 ? double.NegativeInfinity : sign * means[a]).ToArray();
            for (var a = 0; a < arms; a++)
            {
                shares[a] = bandit.Epsilon / arms;
            }

            shares[Array.IndexOf(scored, scored.Max())] += 1 - bandit.Epsilon;
        }

        return (BanditAllocator.ApplyFloor(shares, bandit.Floor), null);
    }

    private async Task<ExperimentDecision?> ProposeAsync(string name, ExperimentResults results, string winner, AuditActor actor, string requestId, CancellationToken cancellationToken)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        var row = await ExperimentService.FindAsync(uow.Connection, uow.Transaction, name, cancellationToken);
        var existing = await uow.QuerySingleOrDefaultAsync<string>(
            "SELECT id FROM promotion_proposals WHERE experiment_id = @Id AND status IN ('pending', 'accepted')", new { row.Id }, cancellationToken);
        if (existing is not null)
        {
            return null;
        }

        var phase = await ExperimentService.CurrentPhaseAsync(uow.Connection, uow.Transaction, row, cancellationToken);
        var arms = phase.ParsedArms;
        var control = arms[ExperimentAnalysis.Control(arms)];
        var arm = arms.First(a => a.Name == winner);
        var primary = results.Metrics.First(m => m.Role == MetricRoles.Primary);
        var r = primary.Arms.First(a => a.Arm == winner);
        var evidence = $"{primary.Metric}: {winner} (v{arm.Version}) vs {control.Name} (v{control.Version}) relative lift {r.Sequential!.Estimate:P2}, " +
                       $"always-valid {1 - row.Parsed.Alpha:P0} interval [{r.Sequential.CiLower:P2}, {r.Sequential.CiUpper:P2}], p = {r.Sequential.PValue:G3}; " +
                       $"chance to beat control {r.Bayesian?.ChanceToBeatControl:P1}; {results.Units:N0} units; SRM p = {results.Srm?.PValue:G3}; no guardrail breached.";
        var id = RegistryService.NewId("p");
        await uow.ExecuteAsync(
            "INSERT INTO promotion_proposals (id, experiment_id, version, alias, status, evidence, proposed_at, proposed_by_name, proposed_by_person) " +
            "VALUES (@id, @Id, @version, @alias, 'pending', @evidence, @now, @by, @person)",
            new { id, row.Id, version = arm.Version, alias = control.Alias, evidence, now = time.GetUtcNow().ToUnixTimeMilliseconds(), by = row.CreatedByName, person = row.CreatedByPerson },
            cancellationToken);
        await audit.AppendAsync(uow, actor, requestId, "experiments.propose_promotion", ExperimentService.Target(name),
            new { proposal = id, version = arm.Version, alias = control.Alias, evidence }, cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return new ExperimentDecision(name, "proposed", $"promote v{arm.Version} to '{control.Alias}': {evidence}", id);
    }

    private async Task<(ExperimentRow Row, ExperimentAnalysis.Input Input, int Phase, long PhaseStart)> LoadAsync(string name, int? phase, CancellationToken cancellationToken)
    {
        await router.FlushAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await ExperimentService.FindAsync(connection, null, name, cancellationToken);
        var number = phase ?? (int)row.Phase;
        var phaseRow = await connection.QuerySingleOrDefaultAsync<PhaseRow>(new CommandDefinition(
                $"SELECT {PhaseRow.Columns} FROM experiment_phases WHERE experiment_id = @Id AND phase = @number", new { row.Id, number }, cancellationToken: cancellationToken))
            ?? throw WardenProblemException.NotFound($"Phase {number} of experiment '{name}'");
        var arms = phaseRow.ParsedArms;
        var definition = row.Parsed;
        var exposures = (await connection.QueryAsync<Exposure>(new CommandDefinition(
            "SELECT unit_id, arm, period, first_seen_at FROM experiment_exposures WHERE experiment_id = @Id AND phase = @number", new { row.Id, number },
            cancellationToken: cancellationToken))).ToList();
        var observations = (await connection.QueryAsync<Observation>(new CommandDefinition(
            "SELECT o.unit_id, o.name, o.value, o.at FROM experiment_observations o WHERE o.experiment_id = @Id AND EXISTS " +
            "(SELECT 1 FROM experiment_exposures x WHERE x.experiment_id = o.experiment_id AND x.phase = @number AND x.unit_id = o.unit_id)",
            new { row.Id, number }, cancellationToken: cancellationToken))).ToList();
        var expected = arms.Select(a => a.Weight).ToArray();
        if (row.Kind == ExperimentKinds.LinUcb)
        {
            // Allocation depends on each unit's context: there is no expected ratio to check.
            expected = new double[arms.Count];
        }
        else if (row.Kind == ExperimentKinds.Bandit && exposures.Count > 0)
        {
            // Weights changed between periods: each period's units are expected in that period's proportions.
            var allocations = (await connection.QueryAsync<AllocationRow>(new CommandDefinition(
                "SELECT experiment_id, period, at, weights, probability_best, reason FROM experiment_allocations WHERE experiment_id = @Id", new { row.Id },
                cancellationToken: cancellationToken))).ToDictionary(a => (int)a.Period);
            expected = new double[arms.Count];
            foreach (var g in exposures.GroupBy(e => e.Period))
            {
                var w = allocations.TryGetValue(g.Key, out var a) && a.ParsedWeights.Length == arms.Count ? a.ParsedWeights : arms.Select(x => x.Weight).ToArray();
                for (var i = 0; i < arms.Count; i++)
                {
                    expected[i] += w[i] * g.Count() / exposures.Count;
                }
            }
        }

        // Native metrics are not computed from feedback: ExperimentNativeMetrics judges them.
        var feedbackMetrics = definition.Metrics.Where(m => m.Kind != MetricKinds.Native).ToList();
        return (row, new ExperimentAnalysis.Input(arms, feedbackMetrics, definition.Alpha, definition.SequentialTuning, expected, exposures, observations), number,
            phaseRow.StartedAt);
    }

    private static ulong GrowthSeed(string name) => Experimentation.Assignment.GrowthBookHash.Fnv1a32(name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Experiment {Experiment} stopped automatically: {Reason}")]
    private static partial void LogGuardrailStop(ILogger logger, string experiment, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Evaluating experiment {Experiment} failed; the next tick tries again")]
    private static partial void LogEvaluationFailed(ILogger logger, Exception exception, string experiment);
}

/// <summary>One bucket of a contextual bandit's first context feature: the arms' served shares per period.</summary>
internal sealed record ContextBucketAllocation(string Bucket, IReadOnlyList<ContextBucketPeriod> Periods);

/// <summary>The decisions of one period in one bucket.</summary>
internal sealed record ContextBucketPeriod(int Period, int Units, IReadOnlyDictionary<string, double> Shares);

/// <summary>Evaluates running experiments on a timer.</summary>
internal sealed class ExperimentEvaluationTimer(ExperimentEvaluator evaluator, IOptions<ExperimentOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.EvaluationInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await evaluator.EvaluateAllAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The next tick tries again.
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // Shutting down (also when the host is disposed without being stopped first).
        }
    }
}
