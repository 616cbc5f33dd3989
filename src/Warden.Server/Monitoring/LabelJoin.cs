using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Warden.Contracts;
using Warden.Server.Serving;

namespace Warden.Server.Monitoring;

/// <summary>A prediction waiting for its label: where its outcome must be counted.</summary>
/// <param name="Numbers">The prediction's numeric feature values in model order (NaN elsewhere), in memory only.</param>
/// <param name="Texts">Its other feature values in model order (null where numeric), or null when the model has none.
/// Fairness groups and root-cause segments are worked out from both when the label arrives; two compact arrays rather than
/// a string per value keep the index cheap for the garbage collector.</param>
public sealed record PendingPrediction(string Model, int Version, long WindowStart, DateTimeOffset At, double Score, string? EntityId, double[] Numbers,
    string?[]? Texts);

/// <summary>Joins delayed feedback to its prediction. Predictions are indexed by request id (a request of several records:
/// "requestId/i", 0-based) and by entity id; feedback naming a request id labels that prediction (and the shadow versions'
/// predictions of the same request), feedback naming only an entity id labels that entity's latest prediction made before
/// the feedback. The index is bounded (<see cref="MonitoringOptions.JoinCapacity"/> predictions, <see cref="MonitoringOptions.LabelHorizon"/>
/// of age); feedback for a prediction no longer indexed is counted as unmatched (warden.feedback.unmatched).</summary>
public sealed class LabelJoin(IOptions<MonitoringOptions> options)
{
    private readonly ConcurrentDictionary<string, PendingPrediction[]> _byRequest = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingPrediction[]> _byEntity = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Key, string? Entity, DateTimeOffset At)> _order = new();
    private long _count;

    /// <summary>Feedback events that found no prediction.</summary>
    public long Unmatched => Interlocked.Read(ref _unmatched);

    private long _unmatched;

    /// <summary>Predictions indexed now.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Indexes a prediction under its join key.</summary>
    public void Add(string key, PendingPrediction prediction)
    {
        if (_byRequest.TryAdd(key, [prediction]))
        {
            _order.Enqueue((key, prediction.EntityId, prediction.At));
            Interlocked.Increment(ref _count);
        }
        else
        {
            _byRequest.AddOrUpdate(key, [prediction], (_, existing) => [.. existing.Where(p => p.Version != prediction.Version || p.Model != prediction.Model), prediction]);
        }

        if (prediction.EntityId is { } entity)
        {
            // The last few predictions of an entity are enough to find the one before a feedback event.
            _byEntity.AddOrUpdate(entity, [prediction], (_, existing) => existing.Length < 8 ? [.. existing, prediction] : [.. existing.Skip(1), prediction]);
        }

        if (Interlocked.Read(ref _count) > options.Value.JoinCapacity)
        {
            Evict(DateTimeOffset.MaxValue, 1);
        }
    }

    /// <summary>The predictions a feedback event labels (empty when none is indexed).</summary>
    public IReadOnlyList<PendingPrediction> Find(FeedbackEvent feedback)
    {
        IEnumerable<PendingPrediction> found = [];
        if (feedback.RequestId is { } request && _byRequest.TryGetValue(request, out var byRequest))
        {
            found = byRequest;
        }
        else if (feedback.EntityId is { } entity && _byEntity.TryGetValue(entity, out var byEntity))
        {
            var latest = byEntity.Where(p => p.At <= feedback.At && (feedback.Model is null || p.Model == feedback.Model)).OrderByDescending(p => p.At).FirstOrDefault();
            found = latest is null ? [] : byEntity.Where(p => p.At == latest.At && p.Model == latest.Model);
        }

        var result = found.Where(p => feedback.Model is null || p.Model == feedback.Model).ToList();
        if (result.Count == 0)
        {
            Interlocked.Increment(ref _unmatched);
        }

        return result;
    }

    /// <summary>Drops predictions older than the label horizon.</summary>
    public void Expire(DateTimeOffset now) => Evict(now - options.Value.LabelHorizon, int.MaxValue);

    private void Evict(DateTimeOffset olderThan, int atLeast)
    {
        var removed = 0;
        while (_order.TryPeek(out var head) && (removed < atLeast && olderThan == DateTimeOffset.MaxValue || head.At < olderThan))
        {
            if (!_order.TryDequeue(out head))
            {
                break;
            }

            if (_byRequest.TryRemove(head.Key, out _))
            {
                Interlocked.Decrement(ref _count);
            }

            if (head.Entity is { } entity && _byEntity.TryGetValue(entity, out var list) && list.All(p => p.At <= head.At))
            {
                _byEntity.TryRemove(entity, out _);
            }

            removed++;
        }
    }
}
