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
/// <remarks>A ring of slots held column by column in arrays — model, version, window, time, score, entity, the request
/// id with the record's position, and the numeric values of every slot in one flat array — with plain dictionaries from a
/// (request id, position) key and an entity id to their newest slot and links to older slots of the same key or entity.
/// A waiting prediction costs no object of its own (Warden's request ids are held as the 128-bit number they spell, a
/// caller's own id as its string, shared by the records of a request; texts are kept only for values that are not numbers), so the index, which lives long, adds almost nothing for the
/// garbage collector to trace or promote. <see cref="PendingPrediction"/> objects are made only for the matches of a
/// feedback event. One lock guards it; the work under it is a few array writes.</remarks>
public sealed class LabelJoin(IOptions<MonitoringOptions> options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<JoinKey, int> _byRequest = [];
    private readonly Dictionary<string, int> _byEntity = new(StringComparer.Ordinal);
    private readonly int _capacity = Math.Max(1, options.Value.JoinCapacity);
    private int _size = Math.Min(1024, Math.Max(1, options.Value.JoinCapacity));
    private int _stride = 1;
    private string?[] _models = new string?[Math.Min(1024, Math.Max(1, options.Value.JoinCapacity))];
    private int[] _versions = new int[Math.Min(1024, Math.Max(1, options.Value.JoinCapacity))];
    private long[] _windowStarts = new long[Math.Min(1024, Math.Max(1, options.Value.JoinCapacity))];
    private long[] _atTicks = new long[Math.Min(1024, Math.Max(1, options.Value.JoinCapacity))];
    private double[] _scores = new double[Math.Min(1024, Math.Max(1, options.Value.JoinCapacity))];
    private string?[] _entities = new string?[Math.Min(1024, Math.Max(1, options.Value.JoinCapacity))];
    private JoinKey[] _keys = new JoinKey[Math.Min(1024, Math.Max(1, options.Value.JoinCapacity))];
    private int[] _widths = new int[Math.Min(1024, Math.Max(1, options.Value.JoinCapacity))];
    private double[] _values = new double[Math.Min(1024, Math.Max(1, options.Value.JoinCapacity))];
    private string?[]?[] _texts = new string?[]?[Math.Min(1024, Math.Max(1, options.Value.JoinCapacity))];
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

    /// <summary>Indexes a prediction under its join key (a request id, or "requestId/i" for record i of a request).</summary>
    public void Add(string key, PendingPrediction prediction) =>
        Add(key, -1, prediction.Model, prediction.Version, prediction.WindowStart, prediction.At, prediction.Score, prediction.EntityId, prediction.Numbers, prediction.Texts);

    /// <summary>Indexes a prediction: record <paramref name="position"/> of request <paramref name="requestId"/> (-1: the
    /// request's only record, joined by the request id alone; otherwise joined by "requestId/position").</summary>
    /// <param name="requestId">The request id, shared by the records of a request.</param>
    /// <param name="position">The record's 0-based position, or -1.</param>
    /// <param name="model">The model.</param>
    /// <param name="version">The version.</param>
    /// <param name="windowStart">The start of the window its outcome counts in.</param>
    /// <param name="at">When it was made.</param>
    /// <param name="score">The probability of the positive class, or the regression value.</param>
    /// <param name="entityId">The caller's entity id, when given.</param>
    /// <param name="numbers">Numeric feature values in model order (NaN elsewhere); copied.</param>
    /// <param name="texts">The other values in model order (null where numeric), or null; kept.</param>
    public void Add(string requestId, int position, string model, int version, long windowStart, DateTimeOffset at, double score, string? entityId,
        ReadOnlySpan<double> numbers, string?[]? texts)
    {
        var key = JoinKey.Of(requestId, position);
        lock (_gate)
        {
            // Every slot holds up to _stride values; the stride never outgrows what one array can hold at full capacity
            // (a model wider than that — thousands of features — has its last values remembered as missing).
            var kept = Math.Min(numbers.Length, Array.MaxLength / _capacity);
            if (kept > _stride)
            {
                Relayout(_size, kept);
            }

            // Below the capacity the slots never wrap: the arrays grow in place instead. At the capacity the oldest goes.
            if (_size < _capacity && _oldest + _count == _size)
            {
                Relayout((int)Math.Min(_capacity, (long)_size * 2), _stride);
            }

            if (_count == _size)
            {
                RemoveOldest();
            }

            var slot = (_oldest + _count) % _size;
            _models[slot] = model;
            _versions[slot] = version;
            _windowStarts[slot] = windowStart;
            _atTicks[slot] = at.UtcTicks;
            _scores[slot] = score;
            _entities[slot] = entityId;
            _keys[slot] = key;
            _widths[slot] = numbers.Length;
            numbers[..kept].CopyTo(_values.AsSpan(slot * _stride, kept));
            _texts[slot] = texts;
            _olderSameKey[slot] = _byRequest.TryGetValue(key, out var newerKey) ? newerKey : -1;
            _byRequest[key] = slot;
            _olderSameEntity[slot] = -1;
            if (entityId is not null)
            {
                _olderSameEntity[slot] = _byEntity.TryGetValue(entityId, out var newerEntity) ? newerEntity : -1;
                _byEntity[entityId] = slot;
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
                // "r" is request r's only record, or a request id that happens to end in "/i"; "r/i" is also record i of r.
                Collect(JoinKey.Of(request, -1), feedback, result);
                var slash = request.LastIndexOf('/');
                if (slash > 0 && int.TryParse(request.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var position))
                {
                    Collect(JoinKey.Of(request[..slash], position), feedback, result);
                }
            }
            else if (feedback.EntityId is { } entity && _byEntity.TryGetValue(entity, out var slot))
            {
                // The entity's newest prediction at or before the feedback, with its shadows (same request, other versions).
                var before = feedback.At.UtcTicks;
                for (var s = slot; s >= 0; s = _olderSameEntity[s])
                {
                    if (_atTicks[s] <= before && (feedback.Model is null || _models[s] == feedback.Model))
                    {
                        var first = _byRequest.TryGetValue(_keys[s], out var head) ? head : -1;
                        for (var k = first; k >= 0; k = _olderSameKey[k])
                        {
                            if (_models[k] == _models[s] && _atTicks[k] == _atTicks[s] && !result.Exists(r => r.Version == _versions[k]))
                            {
                                result.Add(Materialise(k));
                            }
                        }

                        if (result.Count == 0)
                        {
                            result.Add(Materialise(s));
                        }

                        break;
                    }
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
        var cutoff = (now - options.Value.LabelHorizon).UtcTicks;
        lock (_gate)
        {
            while (_count > 0 && _atTicks[_oldest] < cutoff)
            {
                RemoveOldest();
            }
        }
    }

    private void Collect(JoinKey key, FeedbackEvent feedback, List<PendingPrediction> result)
    {
        if (!_byRequest.TryGetValue(key, out var slot))
        {
            return;
        }

        for (; slot >= 0; slot = _olderSameKey[slot])
        {
            var model = _models[slot]!;
            var version = _versions[slot];
            if ((feedback.Model is null || model == feedback.Model) && !result.Exists(r => r.Model == model && r.Version == version))
            {
                result.Add(Materialise(slot));
            }
        }
    }

    private PendingPrediction Materialise(int slot)
    {
        var numbers = new double[_widths[slot]];
        var kept = Math.Min(numbers.Length, _stride);
        _values.AsSpan(slot * _stride, kept).CopyTo(numbers);
        numbers.AsSpan(kept).Fill(double.NaN);
        return new PendingPrediction(_models[slot]!, _versions[slot], _windowStarts[slot], new DateTimeOffset(_atTicks[slot], TimeSpan.Zero), _scores[slot],
            _entities[slot], numbers, _texts[slot]);
    }

    // The oldest slot is the last of its key's and its entity's chains: cut the link to it, or the entry if it was alone.
    private void RemoveOldest()
    {
        var slot = _oldest;
        Unlink(_byRequest, _keys[slot], _olderSameKey, slot);
        if (_entities[slot] is { } entity)
        {
            Unlink(_byEntity, entity, _olderSameEntity, slot);
        }

        _models[slot] = null;
        _entities[slot] = null;
        _keys[slot] = default;
        _texts[slot] = null;
        _oldest = (_oldest + 1) % _size;
        _count--;
    }

    private static void Unlink<TKey>(Dictionary<TKey, int> heads, TKey name, int[] older, int slot)
        where TKey : notnull
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

    // Grows the slots (doubling, up to the capacity) or widens the values of each slot. Growing happens only while the
    // slots have not wrapped, so they keep their positions and no link or dictionary entry changes; widening copies each
    // slot's values to its new place (rare: a model with more features than any before). The dictionaries are sized along
    // so they do not rehash mid-stream.
    private void Relayout(int size, int stride)
    {
        if (size != _size)
        {
            Array.Resize(ref _models, size);
            Array.Resize(ref _versions, size);
            Array.Resize(ref _windowStarts, size);
            Array.Resize(ref _atTicks, size);
            Array.Resize(ref _scores, size);
            Array.Resize(ref _entities, size);
            Array.Resize(ref _keys, size);
            Array.Resize(ref _widths, size);
            Array.Resize(ref _texts, size);
            Array.Resize(ref _olderSameKey, size);
            Array.Resize(ref _olderSameEntity, size);
            _byRequest.EnsureCapacity(size);
        }

        var values = new double[size * stride];
        for (var slot = 0; slot < _size; slot++)
        {
            _values.AsSpan(slot * _stride, Math.Min(_widths[slot], _stride)).CopyTo(values.AsSpan(slot * stride));
        }

        _values = values;
        _size = size;
        _stride = stride;
    }

    /// <summary>A request id and record position. Warden's own request ids ("req_" and 32 lowercase hex digits) are held as
    /// the 128-bit number they spell, so the index keeps no string per waiting prediction for the collector to promote
    /// and trace; any other id (a caller's own X-Request-Id) is kept as its string. The two forms never collide: a
    /// packed key has no string and a string key has no number.</summary>
    private readonly record struct JoinKey(UInt128 Packed, string? RequestId, int Position)
    {
        public static JoinKey Of(string requestId, int position) =>
            TryPack(requestId, out var packed) ? new JoinKey(packed, null, position) : new JoinKey(default, requestId, position);

        private static bool TryPack(string id, out UInt128 packed)
        {
            packed = default;
            if (id.Length != 36 || !id.StartsWith("req_", StringComparison.Ordinal))
            {
                return false;
            }

            UInt128 value = 0;
            for (var i = 4; i < 36; i++)
            {
                var c = id[i];
                int digit = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : -1;
                if (digit < 0)
                {
                    return false;
                }

                value = (value << 4) | (uint)digit;
            }

            packed = value;
            return true;
        }
    }
}
