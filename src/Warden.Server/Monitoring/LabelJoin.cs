using Microsoft.Extensions.Options;
using Warden.Contracts;

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
/// of age); feedback for a prediction no longer indexed is counted as unmatched.</summary>
/// <remarks>A ring of slots in arrays, oldest overwritten first, with plain dictionaries from a request id and an entity id
/// to their newest slot and links to older slots of the same request or entity — a handful of objects per prediction
/// rather than a node, an array and a queue entry each, because the index lives long and every garbage collection walks it.
/// One lock guards it; the work under it is a few array writes.</remarks>
public sealed class LabelJoin(IOptions<MonitoringOptions> options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _byRequest = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _byEntity = new(StringComparer.Ordinal);
    private readonly int _capacity = Math.Max(1, options.Value.JoinCapacity);
    private PendingPrediction?[] _slots = new PendingPrediction?[Math.Min(1024, Math.Max(1, options.Value.JoinCapacity))];
    private string?[] _keys = new string?[Math.Min(1024, Math.Max(1, options.Value.JoinCapacity))];
    private int[] _olderSameKey = new int[Math.Min(1024, Math.Max(1, options.Value.JoinCapacity))];
    private int[] _olderSameEntity = new int[Math.Min(1024, Math.Max(1, options.Value.JoinCapacity))];
    private int _oldest;
    private int _count;
    private long _unmatched;

    /// <summary>Feedback events that found no prediction.</summary>
    public long Unmatched => Interlocked.Read(ref _unmatched);

    /// <summary>Predictions indexed now.</summary>
    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Indexes a prediction under its join key.</summary>
    public void Add(string key, PendingPrediction prediction)
    {
        lock (_gate)
        {
            // Below the capacity the slots never wrap: the arrays grow in place instead. At the capacity the oldest goes.
            if (_slots.Length < _capacity && _oldest + _count == _slots.Length)
            {
                Grow();
            }

            if (_count == _slots.Length)
            {
                RemoveOldest();
            }

            var slot = (_oldest + _count) % _slots.Length;
            _slots[slot] = prediction;
            _keys[slot] = key;
            _olderSameKey[slot] = _byRequest.TryGetValue(key, out var newerKey) ? newerKey : -1;
            _byRequest[key] = slot;
            _olderSameEntity[slot] = -1;
            if (prediction.EntityId is { } entity)
            {
                _olderSameEntity[slot] = _byEntity.TryGetValue(entity, out var newerEntity) ? newerEntity : -1;
                _byEntity[entity] = slot;
            }

            _count++;
        }
    }

    /// <summary>The predictions a feedback event labels (empty when none is indexed): one per (model, version), the newest.</summary>
    public IReadOnlyList<PendingPrediction> Find(FeedbackEvent feedback)
    {
        var result = new List<PendingPrediction>(2);
        lock (_gate)
        {
            if (feedback.RequestId is { } request)
            {
                if (_byRequest.TryGetValue(request, out var slot))
                {
                    for (; slot >= 0; slot = _olderSameKey[slot])
                    {
                        var p = _slots[slot]!;
                        if ((feedback.Model is null || p.Model == feedback.Model) && !result.Exists(r => r.Model == p.Model && r.Version == p.Version))
                        {
                            result.Add(p);
                        }
                    }
                }
            }
            else if (feedback.EntityId is { } entity && _byEntity.TryGetValue(entity, out var slot))
            {
                // The entity's newest prediction at or before the feedback, with its shadows (same request, other versions).
                PendingPrediction? latest = null;
                for (var s = slot; s >= 0; s = _olderSameEntity[s])
                {
                    var p = _slots[s]!;
                    if (p.At <= feedback.At && (feedback.Model is null || p.Model == feedback.Model))
                    {
                        latest = p;
                        for (var k = _byRequest.TryGetValue(_keys[s]!, out var first) ? first : -1; k >= 0; k = _olderSameKey[k])
                        {
                            var q = _slots[k]!;
                            if (q.Model == p.Model && q.At == p.At && !result.Exists(r => r.Version == q.Version))
                            {
                                result.Add(q);
                            }
                        }

                        break;
                    }
                }

                if (latest is not null && result.Count == 0)
                {
                    result.Add(latest);
                }
            }
        }

        if (result.Count == 0)
        {
            Interlocked.Increment(ref _unmatched);
        }

        return result;
    }

    /// <summary>Drops predictions older than the label horizon.</summary>
    public void Expire(DateTimeOffset now)
    {
        var cutoff = now - options.Value.LabelHorizon;
        lock (_gate)
        {
            while (_count > 0 && _slots[_oldest]!.At < cutoff)
            {
                RemoveOldest();
            }
        }
    }

    // The oldest slot is the last of its request's and its entity's chains: cut the link to it, or the entry if it was alone.
    private void RemoveOldest()
    {
        var slot = _oldest;
        var key = _keys[slot]!;
        Unlink(_byRequest, key, _olderSameKey, slot);
        if (_slots[slot]!.EntityId is { } entity)
        {
            Unlink(_byEntity, entity, _olderSameEntity, slot);
        }

        _slots[slot] = null;
        _keys[slot] = null;
        _oldest = (_oldest + 1) % _slots.Length;
        _count--;
    }

    private static void Unlink(Dictionary<string, int> heads, string name, int[] older, int slot)
    {
        if (!heads.TryGetValue(name, out var head))
        {
            return;
        }

        if (head == slot)
        {
            heads.Remove(name);
            return;
        }

        for (var s = head; s >= 0; s = older[s])
        {
            if (older[s] == slot)
            {
                older[s] = -1;
                return;
            }
        }
    }

    // Doubles the arrays (up to the capacity). The slots are contiguous (no wrap below the capacity), so they keep their
    // positions and no link or dictionary entry changes; the dictionaries are sized along so they do not rehash mid-stream.
    private void Grow()
    {
        var size = (int)Math.Min(_capacity, (long)_slots.Length * 2);
        Array.Resize(ref _slots, size);
        Array.Resize(ref _keys, size);
        Array.Resize(ref _olderSameKey, size);
        Array.Resize(ref _olderSameEntity, size);
        _byRequest.EnsureCapacity(size);
    }
}
