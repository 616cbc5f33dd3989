using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Dapper;
using Microsoft.Extensions.Options;
using Warden.Contracts;
using Warden.Experimentation.Assignment;
using Warden.Server.Data;
using Warden.Server.Serving;

namespace Warden.Server.Experiments;

/// <summary>Experiment settings (<c>Warden:Experiments</c>).</summary>
public sealed class ExperimentOptions
{
    /// <summary>How often running experiments are evaluated (guardrails, winners, bandit cadence) and the routing snapshot re-read.</summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Exposures waiting to be written; beyond it new exposures are counted as dropped (the unit is still served).</summary>
    public int ExposureQueueCapacity { get; set; } = 100_000;
}

/// <summary>Assigns units of running experiments to arms on the prediction path: GrowthBook hashing (version 2) of the
/// experiment's seed and the unit id, coverage, namespace and holdout from <see cref="ExperimentAssigner"/>; sticky within
/// an epoch — a unit keeps the arm of its first exposure through later phases, and only an explicit reseed starts a new
/// epoch. Everything is answered from an in-memory snapshot refreshed after each control-plane change (and on a timer for
/// other replicas); first exposures are queued and written by a background writer, never on the request.</summary>
public sealed class ExperimentRouter(WardenDatabase database, DeploymentTable deployments, ExperimentServingStats serving, IOptions<ExperimentOptions> options,
    TimeProvider time) : BackgroundService, IExperimentRouter
{
    private readonly SemaphoreSlim _loading = new(1, 1);
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly Channel<PendingExposure> _exposures =
        Channel.CreateBounded<PendingExposure>(new BoundedChannelOptions(options.Value.ExposureQueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite });
    private volatile Snapshot? _snapshot;
    private int _version;

    /// <summary>Exposures dropped because the queue was full.</summary>
    public long DroppedExposures => Interlocked.Read(ref _dropped);

    private long _dropped;

    /// <summary>A first exposure waiting to be written: the logged decision (arm, its probability, the context).</summary>
    private readonly record struct PendingExposure(string ExperimentId, int Epoch, string Unit, int Phase, int Period, int Arm, long At, double Propensity, string? Context);

    /// <summary>A unit's arm within an epoch and the probability with which it was chosen.</summary>
    internal readonly record struct StickyArm(int Arm, double Propensity);

    /// <summary>An active (running or stopped) experiment as routing sees it.</summary>
    internal sealed record Active(
        string Id,
        string Name,
        string Model,
        string Status,
        int Phase,
        int Epoch,
        int Period,
        IReadOnlyList<ExperimentArm> Arms,
        IReadOnlyList<double> Weights,
        ExperimentDefinition Definition,
        Experimentation.Assignment.ExperimentDefinition Assignment,
        ConcurrentDictionary<string, StickyArm> Sticky,
        ContextualPolicy? Contextual,
        ServedArm[] Served);

    private sealed record Snapshot(int Version, IReadOnlyDictionary<string, IReadOnlyList<Active>> ByModel);

    /// <summary>Marks the snapshot stale; the next request re-reads it.</summary>
    public void Invalidate() => Interlocked.Increment(ref _version);

    /// <inheritdoc />
    public async ValueTask<ExperimentRoute?> RouteAsync(string model, string unitId, JsonElement record, CancellationToken cancellationToken)
    {
        var snapshot = await CurrentAsync(cancellationToken);
        if (!snapshot.ByModel.TryGetValue(model, out var experiments) || string.IsNullOrEmpty(unitId))
        {
            return null;
        }

        foreach (var e in experiments)
        {
            var known = e.Sticky.TryGetValue(unitId, out var sticky);
            var (arm, propensity) = sticky;
            string? context = null;
            if (!known)
            {
                var assignment = ExperimentAssigner.Assign(e.Assignment, unitId);
                if (!assignment.InExperiment)
                {
                    continue;
                }

                arm = assignment.VariationIndex;
                propensity = e.Weights[arm];
                context = ContextualPolicy.Log(record, e.Definition.Features);
                if (e.Contextual is { } contextual)
                {
                    // Coverage, namespace and holdout decided inclusion above; the context decides the arm.
                    if (ContextualPolicy.Numeric(record, e.Definition.Features) is not { } values)
                    {
                        continue; // no numeric context: not a decision this experiment can make or learn from
                    }

                    (arm, propensity) = contextual.Choose(values, unitId);
                }
            }

            if (e.Status == ExperimentStatuses.Stopped)
            {
                // Stopped (by hand or by a guardrail): the experiment's units go back to control.
                arm = ExperimentAnalysis.Control(e.Arms);
            }

            var chosen = e.Arms[arm];
            var version = await deployments.ResolveAsync(model, chosen.Alias);
            if (version is null || version.Version != chosen.Version)
            {
                // The arm's alias moved or its version is no longer servable: never serve another version under the arm's name.
                return null;
            }

            if (!known && e.Status == ExperimentStatuses.Running && e.Sticky.TryAdd(unitId, new StickyArm(arm, propensity)) &&
                !_exposures.Writer.TryWrite(new PendingExposure(e.Id, e.Epoch, unitId, e.Phase, e.Period, arm, time.GetUtcNow().ToUnixTimeMilliseconds(), propensity, context)))
            {
                Interlocked.Increment(ref _dropped);
            }

            return new ExperimentRoute(version, chosen.Alias, e.Name, chosen.Name, e.Status == ExperimentStatuses.Stopped ? 1 : propensity);
        }

        return null;
    }

    /// <inheritdoc />
    public void RecordServed(ExperimentRoute route, double latencyMs, bool failed)
    {
        // Indexed loops over the snapshot: nothing is allocated on the prediction path.
        if (_snapshot is not { } snapshot || !snapshot.ByModel.TryGetValue(route.Version.ModelName, out var experiments))
        {
            return;
        }

        for (var i = 0; i < experiments.Count; i++)
        {
            var e = experiments[i];
            if (!string.Equals(e.Name, route.Experiment, StringComparison.Ordinal))
            {
                continue;
            }

            if (e.Status != ExperimentStatuses.Running)
            {
                return; // a stopped experiment serves control and measures nothing
            }

            for (var a = 0; a < e.Arms.Count; a++)
            {
                if (string.Equals(e.Arms[a].Name, route.Arm, StringComparison.Ordinal))
                {
                    e.Served[a].Add(latencyMs, failed);
                    return;
                }
            }

            return;
        }
    }

    /// <summary>The active experiments of every model.</summary>
    internal async Task<IReadOnlyList<Active>> ActiveAsync(CancellationToken cancellationToken = default) =>
        (await CurrentAsync(cancellationToken)).ByModel.Values.SelectMany(x => x).ToList();

    /// <summary>Writes every queued exposure now (results read them from the database).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            var batch = new List<PendingExposure>();
            while (_exposures.Reader.TryRead(out var item))
            {
                batch.Add(item);
                if (batch.Count == 1000)
                {
                    await WriteAsync(batch, cancellationToken);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                await WriteAsync(batch, cancellationToken);
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _exposures.Reader.WaitToReadAsync(stoppingToken))
            {
                try
                {
                    await FlushAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database is unavailable: retry shortly; the queue keeps what was not written.
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down: what is queued is written below.
        }

        try
        {
            await FlushAsync(CancellationToken.None);
            await serving.FlushAsync(CancellationToken.None);
        }
        catch (ObjectDisposedException)
        {
            // The host was disposed without being stopped: nothing can be written any more.
        }
    }

    private async Task WriteAsync(List<PendingExposure> batch, CancellationToken cancellationToken)
    {
        await using var uow = await database.BeginAsync(cancellationToken);
        foreach (var x in batch)
        {
            await uow.ExecuteAsync(
                "INSERT INTO experiment_exposures (experiment_id, epoch, unit_id, phase, period, arm, first_seen_at, propensity, context) " +
                "VALUES (@ExperimentId, @Epoch, @Unit, @Phase, @Period, @Arm, @At, @Propensity, @Context) ON CONFLICT DO NOTHING",
                new { x.ExperimentId, x.Epoch, x.Unit, x.Phase, x.Period, x.Arm, x.At, x.Propensity, x.Context }, cancellationToken);
        }

        await uow.CommitAsync(cancellationToken);
    }

    private async ValueTask<Snapshot> CurrentAsync(CancellationToken cancellationToken)
    {
        var wanted = Volatile.Read(ref _version);
        var snapshot = _snapshot;
        if (snapshot is not null && snapshot.Version == wanted)
        {
            return snapshot;
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            wanted = Volatile.Read(ref _version);
            if (_snapshot is { } loaded && loaded.Version == wanted)
            {
                return loaded;
            }

            var fresh = await LoadAsync(wanted, _snapshot, cancellationToken);
            _snapshot = fresh;
            return fresh;
        }
        finally
        {
            _loading.Release();
        }
    }

    private async Task<Snapshot> LoadAsync(int version, Snapshot? previous, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<ExperimentRow>(new CommandDefinition(
            $"SELECT {ExperimentRow.Columns} {ExperimentRow.From} WHERE e.status IN ('running', 'stopped') ORDER BY e.started_at, e.id",
            cancellationToken: cancellationToken))).ToList();
        var old = previous?.ByModel.Values.SelectMany(x => x).ToDictionary(a => (a.Id, a.Epoch), a => a.Sticky) ?? [];
        var byModel = new Dictionary<string, List<Active>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var phase = await ExperimentService.CurrentPhaseAsync(connection, null, row, cancellationToken);
            var arms = phase.ParsedArms;
            var definition = row.Parsed;
            var weights = arms.Select(a => a.Weight).ToArray();
            var period = 0;
            AllocationRow? allocation = null;
            if (row.Kind is ExperimentKinds.Bandit or ExperimentKinds.LinUcb)
            {
                allocation = await connection.QuerySingleOrDefaultAsync<AllocationRow>(new CommandDefinition(
                    "SELECT experiment_id, period, at, weights, probability_best, reason FROM experiment_allocations WHERE experiment_id = @Id ORDER BY period DESC LIMIT 1",
                    new { row.Id }, cancellationToken: cancellationToken));
                period = (int)(allocation?.Period ?? 0);
                if (row.Kind == ExperimentKinds.Bandit && allocation is not null && allocation.ParsedWeights.Length == arms.Count)
                {
                    weights = allocation.ParsedWeights;
                }
            }

            if (!old.TryGetValue((row.Id, (int)phase.Epoch), out var sticky))
            {
                sticky = new ConcurrentDictionary<string, StickyArm>(StringComparer.Ordinal);
                foreach (var e in await connection.QueryAsync<Exposure>(new CommandDefinition(
                             "SELECT unit_id, arm, propensity FROM experiment_exposures WHERE experiment_id = @Id AND epoch = @Epoch", new { row.Id, phase.Epoch },
                             cancellationToken: cancellationToken)))
                {
                    sticky[e.UnitId] = new StickyArm(e.Arm, e.Propensity ?? (e.Arm < weights.Length ? weights[e.Arm] : 0));
                }
            }

            var contextual = row.Kind == ExperimentKinds.LinUcb
                ? await FitAsync(connection, row, (int)phase.Epoch, phase.Seed, arms.Count, allocation?.At ?? 0, cancellationToken)
                : null;

            var assignment = new Experimentation.Assignment.ExperimentDefinition
            {
                Key = row.Name,
                VariationCount = arms.Count,
                Weights = weights,
                Coverage = phase.Coverage,
                Seed = phase.Seed,
                HashVersion = definition.HashVersion,
                HashAttribute = definition.HashAttribute,
                Namespace = definition.Namespace is { } n ? new ExperimentNamespace(n.Id, n.Start, n.End) : null,
                Holdouts = definition.Holdout is { } h ? [new Holdout(h.Seed, h.Fraction)] : null,
            };
            var served = Enumerable.Range(0, arms.Count).Select(a => serving.For(row.Id, (int)row.Phase, a)).ToArray();
            var active = new Active(row.Id, row.Name, row.ModelName, row.Status, (int)row.Phase, (int)phase.Epoch, period, arms, weights, definition, assignment, sticky,
                contextual, served);
            (byModel.TryGetValue(row.ModelName, out var list) ? list : byModel[row.ModelName] = []).Add(active);
        }

        return new Snapshot(version, byModel.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<Active>)kv.Value, StringComparer.Ordinal));
    }

    /// <summary>Fits a linucb experiment's policy from the decisions logged before the last update (<paramref name="cutoff"/>) and the
    /// primary metric's outcomes known then: the model moves on the cadence only, and replicas fitting the same rows agree.</summary>
    private static async Task<ContextualPolicy> FitAsync(System.Data.Common.DbConnection connection, ExperimentRow row, int epoch, string seed, int arms, long cutoff,
        CancellationToken cancellationToken)
    {
        var definition = row.Parsed;
        var primary = definition.Metrics.First(m => m.Role == MetricRoles.Primary);
        var exposures = (await connection.QueryAsync<Exposure>(new CommandDefinition(
            "SELECT unit_id, arm, context FROM experiment_exposures WHERE experiment_id = @Id AND epoch = @epoch AND first_seen_at <= @cutoff AND context IS NOT NULL " +
            "ORDER BY first_seen_at, unit_id", new { row.Id, epoch, cutoff }, cancellationToken: cancellationToken))).ToList();
        var names = new[] { primary.Name, primary.Denominator }.OfType<string>().ToArray();
        var outcomes = ExperimentAnalysis.Outcomes((await connection.QueryAsync<Observation>(new CommandDefinition(
            "SELECT unit_id, name, value, at FROM experiment_observations WHERE experiment_id = @Id AND at <= @cutoff", new { row.Id, cutoff },
            cancellationToken: cancellationToken))).Where(o => names.Contains(o.Name)).ToList());
        var decisions = new List<(double[] Context, int Arm, double Reward)>();
        foreach (var e in exposures)
        {
            if (ContextualPolicy.Numeric(e.Context, definition.Features) is { } context)
            {
                // LinUCB maximises: a metric where lower is better is learned with its sign flipped.
                decisions.Add((context, e.Arm, (primary.Inverse ? -1 : 1) * ExperimentAnalysis.UnitValue(primary, outcomes.GetValueOrDefault(e.UnitId))));
            }
        }

        return ContextualPolicy.Fit(arms, definition.Features.Count, definition.Bandit ?? new BanditSettings(), seed, decisions);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _loading.Dispose();
        _writing.Dispose();
        base.Dispose();
    }
}
