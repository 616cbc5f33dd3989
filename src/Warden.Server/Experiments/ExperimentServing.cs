using System.Collections.Concurrent;
using Dapper;
using Warden.Contracts;
using Warden.Server.Data;
using Warden.Statistics.Sketches;

namespace Warden.Server.Experiments;

/// <summary>What serving measured for one (experiment, phase, arm) in this process: requests, failures and a KLL latency sketch
/// of the answered ones. <see cref="Add"/> is on the prediction path: one short lock, no allocation once the sketch has grown.</summary>
internal sealed class ServedArm
{
    private readonly Lock _lock = new();
    private readonly NumericProfile _latency = new();
    private long _requests;
    private long _failures;
    private bool _dirty;

    /// <summary>Counts one request; the latency of answered requests joins the sketch.</summary>
    public void Add(double latencyMs, bool failed)
    {
        lock (_lock)
        {
            _requests++;
            if (failed)
            {
                _failures++;
            }
            else if (double.IsFinite(latencyMs))
            {
                _latency.Add(latencyMs);
            }

            _dirty = true;
        }
    }

    /// <summary>The cumulative state when it changed since the last call, else null.</summary>
    public (long Requests, long Failures, string Latency)? TakeChanged()
    {
        lock (_lock)
        {
            if (!_dirty)
            {
                return null;
            }

            _dirty = false;
            return (_requests, _failures, _latency.ToJson());
        }
    }

    /// <summary>Marks the state as changed again (its checkpoint failed).</summary>
    public void MarkChanged()
    {
        lock (_lock)
        {
            _dirty = true;
        }
    }
}

/// <summary>Latency and error rate per experiment, phase and arm, measured on the serving path (<see cref="ExperimentRouter.RecordServed"/>).
/// Each process keeps its own cumulative counters and sketch and checkpoints them as one row per replica
/// (<c>experiment_serving</c>; a process is a new replica, so restarts never double count); results merge every replica's row —
/// counts add up and the KLL sketches merge within their stated error bound.</summary>
public sealed class ExperimentServingStats(WardenDatabase database, TimeProvider time) : IDisposable
{
    private readonly string _replica = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<(string ExperimentId, int Phase, int Arm), ServedArm> _arms = new();
    private readonly SemaphoreSlim _writing = new(1, 1);

    /// <summary>The accumulator of one arm in one phase.</summary>
    internal ServedArm For(string experimentId, int phase, int arm) => _arms.GetOrAdd((experimentId, phase, arm), _ => new ServedArm());

    /// <summary>Writes every accumulator that changed since the last checkpoint.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _writing.WaitAsync(cancellationToken);
        var taken = new List<((string ExperimentId, int Phase, int Arm) Key, ServedArm Arm, (long Requests, long Failures, string Latency) State)>();
        try
        {
            foreach (var (key, arm) in _arms)
            {
                if (arm.TakeChanged() is { } state)
                {
                    taken.Add((key, arm, state));
                }
            }

            if (taken.Count == 0)
            {
                return;
            }

            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            await using var uow = await database.BeginAsync(cancellationToken);
            foreach (var (key, _, state) in taken)
            {
                await uow.ExecuteAsync(
                    "INSERT INTO experiment_serving (experiment_id, phase, arm, replica, requests, failures, latency, updated_at) " +
                    "VALUES (@ExperimentId, @Phase, @Arm, @replica, @Requests, @Failures, @Latency, @now) " +
                    "ON CONFLICT (experiment_id, phase, arm, replica) DO UPDATE SET requests = excluded.requests, failures = excluded.failures, " +
                    "latency = excluded.latency, updated_at = excluded.updated_at",
                    new { key.ExperimentId, key.Phase, key.Arm, replica = _replica, state.Requests, state.Failures, state.Latency, now }, cancellationToken);
            }

            await uow.CommitAsync(cancellationToken);
            taken.Clear();
        }
        finally
        {
            // Whatever was not written is written at the next checkpoint.
            foreach (var (_, arm, _) in taken)
            {
                arm.MarkChanged();
            }

            _writing.Release();
        }
    }

    /// <summary>Every replica's measurements of a phase, merged per arm (after checkpointing this replica's).</summary>
    internal async Task<IReadOnlyList<ArmServing>> ReadAsync(string experimentId, int phase, IReadOnlyList<ExperimentArm> arms, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<ServingRow>(new CommandDefinition(
            "SELECT arm, requests, failures, latency FROM experiment_serving WHERE experiment_id = @experimentId AND phase = @phase",
            new { experimentId, phase }, cancellationToken: cancellationToken))).ToList();
        return arms.Select((a, i) =>
        {
            long requests = 0, failures = 0;
            NumericProfile? latency = null;
            foreach (var row in rows.Where(r => r.Arm == i))
            {
                requests += row.Requests;
                failures += row.Failures;
                var profile = NumericProfile.FromJson(row.Latency);
                if (latency is null)
                {
                    latency = profile;
                }
                else
                {
                    latency.Merge(profile);
                }
            }

            var answered = latency is { Count: > 0 } l ? l : null;
            return new ArmServing(a.Name, requests, failures, requests == 0 ? null : (double)failures / requests, answered?.Quantiles.Quantile(0.5),
                answered?.Quantiles.Quantile(0.99), answered?.Mean);
        }).ToList();
    }

    /// <inheritdoc />
    public void Dispose() => _writing.Dispose();

    private sealed class ServingRow
    {
        public int Arm { get; set; }
        public long Requests { get; set; }
        public long Failures { get; set; }
        public string Latency { get; set; } = "";
    }
}
