using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Warden.Contracts;
using Warden.Server.Data;
using Warden.Server.Platform;

namespace Warden.Server.Serving;

/// <summary>One prediction, as stored: inputs already passed through the model's field policy (no raw personal values).
/// When the caller names a data subject, the inputs are also sealed with that subject's key (<see cref="SealedInputs"/>,
/// and <see cref="Subject"/> is a digest of the id), so erasing the subject makes them unreadable.</summary>
public sealed record PredictionEvent(
    string EventId,
    string RequestId,
    string Model,
    int Version,
    string Alias,
    DateTimeOffset At,
    IReadOnlyDictionary<string, object?> Inputs,
    IReadOnlyDictionary<string, object?> Outputs,
    double LatencyMs,
    string CallerKeyId,
    string? UnitId,
    string? Subject = null,
    string? SealedInputs = null,
    bool Shadow = false,
    string? Experiment = null,
    string? Arm = null,
    double? AssignmentProbability = null);

/// <summary>One entry of the event log: a prediction or a feedback event.</summary>
public sealed record LoggedEvent(PredictionEvent? Prediction = null, FeedbackEvent? Feedback = null)
{
    /// <summary>The entry's event id.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string EventId => Prediction?.EventId ?? Feedback!.EventId;

    /// <summary>When it happened.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public DateTimeOffset At => Prediction?.At ?? Feedback!.At;

    /// <summary>True for a prediction posted through the events API (Warden did not serve it).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsExternalPrediction => Prediction is { Alias: EventLog.ExternalAlias };
}

/// <summary>Told about the log's content: once at start for every stored event (oldest first, replay), then for every batch
/// made durable. Monitoring rebuilds its label join and performance windows from it.</summary>
public interface IEventLogConsumer
{
    /// <summary>One stored event, read back at start (oldest first). Keep it cheap: collect, then work in <see cref="ReplayCompletedAsync"/>.</summary>
    void Replay(LoggedEvent e);

    /// <summary>The replay is over; new appends follow.</summary>
    ValueTask ReplayCompletedAsync(CancellationToken cancellationToken);

    /// <summary>A batch just made durable (already fsynced), in log order. The list is the writer's and is reused after the
    /// call returns: a consumer copies what it keeps.</summary>
    ValueTask OnAppendedAsync(IReadOnlyList<LoggedEvent> batch, CancellationToken cancellationToken);
}

/// <summary>Event log settings ("Warden:Events").</summary>
public sealed class EventLogOptions
{
    /// <summary>How long events are kept; older day segments are deleted with their data keys. Null keeps everything.</summary>
    public TimeSpan? Retention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Events that may wait in memory for the writer; beyond it served predictions are counted as dropped and
    /// ingest calls wait.</summary>
    public int QueueCapacity { get; set; } = 200_000;

    /// <summary>Most events in one group commit (one sealed chunk and one fsync per day segment).</summary>
    public int MaxBatch { get; set; } = 8192;

    /// <summary>Served predictions, which nobody waits for, are committed at most this often, so one fsync covers many of
    /// them (they are already only in memory until their commit). Posted events, acknowledged after their fsync, are
    /// committed at once. Zero commits whatever is queued as soon as the writer is free.</summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(10);
}

/// <summary>The embedded durable event log: predictions (from serving, or posted) and feedback in append-only day segments
/// (DATA/events/predictions-YYYY-MM-DD.seg), each with its own data key (envelope encryption). One writer drains a bounded
/// queue and group-commits: every batch becomes one sealed chunk — length prefix, then AES-256-GCM over the batch's JSON
/// lines with associated data binding the segment name and the chunk's offset, so chunks cannot be reordered, moved or
/// spliced unnoticed — followed by one fsync, and only then are the batch's durable appends acknowledged. Served
/// predictions never wait for the disk; when the queue is full they are counted as dropped (warden.events.dropped).
/// Posted events are idempotent by event id. At start a torn tail (a chunk cut short by a crash) is truncated — it was
/// never acknowledged — and the log is replayed to the consumers. Segments older than the retention are deleted and
/// their data keys destroyed.</summary>
public sealed partial class EventLog : BackgroundService
{
    /// <summary>The alias recorded for predictions posted through the events API.</summary>
    public const string ExternalAlias = "external";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly Channel<Pending> _queue;
    private readonly string _directory;
    private readonly Counter<long> _written;
    private readonly Counter<long> _dropped;
    private readonly Histogram<long> _commitSize;
    private readonly ILogger<EventLog> _logger;
    private readonly Security.DataKeyStore _keys;
    private readonly WardenDatabase _database;
    private readonly TimeProvider _time;
    private readonly EventLogOptions _options;
    private readonly IServiceProvider _services;
    // Ids of posted events and feedback (idempotency), with the UTC day of the segment that holds each: forgotten when
    // that segment is deleted by the retention, so the set does not grow for ever.
    private readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);
    private readonly Lock _seenLock = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _flushed = new(1, 1);
    private readonly SemaphoreSlim _urgent = new(0); // released when an acknowledged batch is queued: commit it now
    private IEventLogConsumer[] _consumers = [];
    private long _lastSweep;

    // The writer's plaintext buffer, reused across commits (one writer): a fresh 256 KB buffer per commit would land on the
    // large object heap and cost a gen-2 collection every few hundred commits.
    private readonly ArrayBufferWriter<byte> _lines = new(256 * 1024);
    private byte[] _chunk = new byte[256 * 1024];
    private readonly List<LoggedEvent> _commitEvents = new(1024);

    // One queue entry: a served prediction (no acknowledgement), or a posted batch acknowledged as a whole.
    private readonly record struct Pending(LoggedEvent? Event, IReadOnlyList<LoggedEvent>? Batch, TaskCompletionSource? Ack)
    {
        public int Count => Batch?.Count ?? 1;
    }

    /// <summary>Creates the log in DATA/events.</summary>
    public EventLog(IOptions<WardenOptions> options, IOptions<EventLogOptions> logOptions, IMeterFactory meters, Security.DataKeyStore keys,
        WardenDatabase database, TimeProvider time, IServiceProvider services, ILogger<EventLog> logger)
    {
        _keys = keys;
        _database = database;
        _time = time;
        _services = services;
        _options = logOptions.Value;
        _directory = Path.Combine(options.Value.DataDirectory, "events");
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(Math.Max(1, _options.QueueCapacity))
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        var meter = meters.Create(Telemetry.MeterName);
        _written = meter.CreateCounter<long>("warden.events.written", unit: "{event}", description: "Events persisted to the event log.");
        _dropped = meter.CreateCounter<long>("warden.events.dropped", unit: "{event}", description: "Served prediction events dropped because the queue was full or the disk failed.");
        _commitSize = meter.CreateHistogram<long>("warden.events.commit_size", unit: "{event}", description: "Events per group commit.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384] });
        _logger = logger;
    }

    /// <summary>The folder holding the segments.</summary>
    public string Directory => _directory;

    /// <summary>Queues a served prediction without waiting; returns false (and counts it) when the queue is full.</summary>
    public bool TryAppend(PredictionEvent e)
    {
        if (_queue.Writer.TryWrite(new Pending(new LoggedEvent(e), null, null)))
        {
            return true;
        }

        _dropped.Add(1);
        return false;
    }

    /// <summary>Appends events durably: returns, once they are fsynced, the events that were new. Events whose id is already
    /// in the log (or earlier in the same call) are not stored again.</summary>
    public async Task<IReadOnlyList<LoggedEvent>> AppendDurableAsync(IReadOnlyList<LoggedEvent> events, CancellationToken cancellationToken = default)
    {
        await _ready.Task.WaitAsync(cancellationToken);
        var fresh = new List<LoggedEvent>(events.Count);
        lock (_seenLock)
        {
            foreach (var e in events)
            {
                if (_seen.TryAdd(e.EventId, Day(e.At)))
                {
                    fresh.Add(e);
                }
            }
        }

        if (fresh.Count == 0)
        {
            return fresh;
        }

        var ack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queued = false;
        try
        {
            await _queue.Writer.WriteAsync(new Pending(null, fresh, ack), cancellationToken);
            queued = true;
            _urgent.Release();
            await ack.Task;
        }
        catch
        {
            // Not acknowledged: the caller may retry with the same ids, so they must not count as seen. (Once queued, the
            // batch may still be written; a retry is then answered as duplicates, which is what the caller wants.)
            if (!queued || ack.Task.IsFaulted)
            {
                lock (_seenLock)
                {
                    foreach (var e in fresh)
                    {
                        _seen.Remove(e.EventId);
                    }
                }
            }

            throw;
        }

        return fresh;
    }

    /// <summary>Waits until everything queued so far is on disk (for tests and shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _ready.Task.WaitAsync(cancellationToken);
        while (_queue.Reader.Count > 0)
        {
            await Task.Delay(10, cancellationToken);
        }

        await _flushed.WaitAsync(cancellationToken);
        _flushed.Release();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        System.IO.Directory.CreateDirectory(_directory);
        _consumers = _services.GetServices<IEventLogConsumer>().ToArray();
        try
        {
            await RecoverAsync(stoppingToken);
        }
        catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or JsonException)
        {
            LogRecoveryFailed(_logger, e);
        }

        foreach (var consumer in _consumers)
        {
            try
            {
                await consumer.ReplayCompletedAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogConsumerFailed(_logger, e, consumer.GetType().Name);
            }
        }

        _ready.TrySetResult();
        var batch = new List<Pending>(_options.MaxBatch);
        try
        {
            var lastCommit = 0L;
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                // Only served predictions waiting: let more of them join this commit, unless an acknowledged batch arrives.
                var wait = _options.CommitInterval - System.Diagnostics.Stopwatch.GetElapsedTime(lastCommit);
                if (wait > TimeSpan.Zero && _urgent.CurrentCount == 0 && _queue.Reader.Count < _options.MaxBatch)
                {
                    await _urgent.WaitAsync(wait, stoppingToken);
                }

                while (_urgent.CurrentCount > 0 && _urgent.Wait(0, CancellationToken.None))
                {
                    // Every acknowledged batch queued so far is in this commit.
                }

                lastCommit = System.Diagnostics.Stopwatch.GetTimestamp();
                await _flushed.WaitAsync(stoppingToken);
                try
                {
                    var events = 0;
                    while (events < _options.MaxBatch && _queue.Reader.TryRead(out var e))
                    {
                        batch.Add(e);
                        events += e.Count;
                    }

                    await CommitAsync(batch, stoppingToken);
                    batch.Clear();
                }
                finally
                {
                    _flushed.Release();
                }

                await SweepAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Drain what is left on shutdown.
            while (_queue.Reader.TryRead(out var e))
            {
                batch.Add(e);
            }


            await CommitAsync(batch, CancellationToken.None);
        }
    }

    private async Task CommitAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        // The writer's own list, reused (a commit of 10,000 events would otherwise allocate an 80 KB array each time).
        var events = _commitEvents;
        events.Clear();
        foreach (var p in batch)
        {
            if (p.Batch is { } many)
            {
                events.AddRange(many);
            }
            else
            {
                events.Add(p.Event!);
            }
        }

        try
        {
            // One segment per UTC day: almost always one day per commit, checked without grouping.
            var firstDay = Day(events[0].At);
            var oneDay = true;
            foreach (var e in events)
            {
                oneDay &= Day(e.At) == firstDay;
            }

            IEnumerable<IEnumerable<LoggedEvent>> days = oneDay ? [events] : events.GroupBy(e => Day(e.At));
            foreach (var day in days)
            {
                var segment = SegmentName(day.First().At);
                var key = await _keys.GetAsync("segment:" + segment, "segment", cancellationToken);
                var lines = _lines;
                lines.ResetWrittenCount();
                using (var writer = new Utf8JsonWriter(lines, new JsonWriterOptions { Encoder = Json.Encoder, SkipValidation = true }))
                {
                    foreach (var e in day)
                    {
                        Write(writer, e);
                        writer.Flush();
                        writer.Reset();
                        lines.Write("\n"u8);
                    }
                }

                // Length prefix and sealed chunk go out in one write from a reused buffer (no large-object allocation per commit).
                await using var file = new FileStream(Path.Combine(_directory, segment), FileMode.Append, FileAccess.Write, FileShare.Read, 0, FileOptions.Asynchronous);
                var sealedLength = Security.Envelope.SealedLength(lines.WrittenCount);
                if (_chunk.Length < 4 + sealedLength)
                {
                    _chunk = new byte[Math.Max(4 + sealedLength, _chunk.Length * 2)];
                }

                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(_chunk, sealedLength);
                Security.Envelope.Seal(key!, lines.WrittenSpan, ChunkContext(segment, file.Position), _chunk.AsSpan(4, sealedLength));
                await file.WriteAsync(_chunk.AsMemory(0, 4 + sealedLength), cancellationToken);
                file.Flush(flushToDisk: true);
            }

            // Plaintext of personal inputs must not linger in memory after it was sealed.
            _lines.Clear();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or OperationCanceledException)
        {
            LogWriteFailed(_logger, e, events.Count);
            events.Clear();
            foreach (var p in batch)
            {
                if (p.Ack is null)
                {
                    _dropped.Add(1);
                }
                else
                {
                    p.Ack.TrySetException(new IOException("the event log could not store the batch", e));
                }
            }

            return;
        }

        _written.Add(events.Count);
        _commitSize.Record(events.Count);

        // Consumers first, then the acknowledgement: a caller that posted feedback reads reports that include it.
        foreach (var consumer in _consumers)
        {
            try
            {
                await consumer.OnAppendedAsync(events, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogConsumerFailed(_logger, e, consumer.GetType().Name);
            }
        }

        events.Clear();
        foreach (var p in batch)
        {
            p.Ack?.TrySetResult();
        }
    }

    // The hot path writes predictions by hand (the same JSON the serializer writes, which reads them back); feedback,
    // rare, goes through the serializer.
    private static void Write(Utf8JsonWriter writer, LoggedEvent e)
    {
        if (e.Prediction is not { } p)
        {
            JsonSerializer.Serialize(writer, e, Json);
            return;
        }

        writer.WriteStartObject();
        writer.WriteStartObject("prediction"u8);
        writer.WriteString("eventId"u8, p.EventId);
        writer.WriteString("requestId"u8, p.RequestId);
        writer.WriteString("model"u8, p.Model);
        writer.WriteNumber("version"u8, p.Version);
        writer.WriteString("alias"u8, p.Alias);
        writer.WriteString("at"u8, p.At);
        writer.WritePropertyName("inputs"u8);
        WriteValues(writer, p.Inputs);
        writer.WritePropertyName("outputs"u8);
        WriteValues(writer, p.Outputs);
        writer.WriteNumber("latencyMs"u8, p.LatencyMs);
        writer.WriteString("callerKeyId"u8, p.CallerKeyId);
        WriteOptional(writer, "unitId"u8, p.UnitId);
        WriteOptional(writer, "subject"u8, p.Subject);
        WriteOptional(writer, "sealedInputs"u8, p.SealedInputs);
        writer.WriteBoolean("shadow"u8, p.Shadow);
        WriteOptional(writer, "experiment"u8, p.Experiment);
        WriteOptional(writer, "arm"u8, p.Arm);
        if (p.AssignmentProbability is { } probability)
        {
            writer.WriteNumber("assignmentProbability"u8, probability);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteValues(Utf8JsonWriter writer, IReadOnlyDictionary<string, object?> values)
    {
        writer.WriteStartObject();
        if (values is Privacy.StoredFieldDictionary stored)
        {
            // Stored inputs (the field policy's output): walked by index, no enumerator.
            for (var i = 0; i < stored.Count; i++)
            {
                WriteValue(writer, stored.NameAt(i), stored.ValueAt(i));
            }
        }
        else if (values is Dictionary<string, object?> dictionary)
        {
            // The usual case, enumerated without boxing an enumerator per event.
            foreach (var (name, value) in dictionary)
            {
                WriteValue(writer, name, value);
            }
        }
        else
        {
            foreach (var (name, value) in values)
            {
                WriteValue(writer, name, value);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, string name, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNull(name);
                break;
            case double d:
                Span<byte> digits = stackalloc byte[32];
                if (Warden.Inference.InvariantNumber.TryFormatUtf8(d, digits, out var written))
                {
                    // Plain decimals (most feature values) skip the framework's shortest-form search; same text, same double.
                    writer.WritePropertyName(name);
                    writer.WriteRawValue(digits[..written], skipInputValidation: true);
                }
                else if (double.IsFinite(d))
                {
                    writer.WriteNumber(name, d);
                }
                else
                {
                    writer.WriteNull(name);
                }

                break;
            case float f when float.IsFinite(f):
                writer.WriteNumber(name, f);
                break;
            case int i:
                writer.WriteNumber(name, i);
                break;
            case long l:
                writer.WriteNumber(name, l);
                break;
            case bool b:
                writer.WriteBoolean(name, b);
                break;
            case string text:
                writer.WriteString(name, text);
                break;
            default:
                writer.WritePropertyName(name);
                JsonSerializer.Serialize(writer, value, value.GetType(), Json);
                break;
        }
    }

    // Truncates torn tails, loads the ids of posted events for idempotency, and replays everything to the consumers.
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        foreach (var path in System.IO.Directory.GetFiles(_directory, "predictions-*.seg").Order(StringComparer.Ordinal))
        {
            var segment = Path.GetFileName(path);
            var key = await _keys.GetAsync("segment:" + segment, null, cancellationToken);
            if (key is null)
            {
                continue;
            }

            var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
            var offset = 0;
            while (offset < bytes.Length)
            {
                byte[] plain;
                var complete = offset + 4 <= bytes.Length
                               && System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset, 4)) is var length
                               && length > 0 && offset + 4 + length <= bytes.Length;
                if (!complete)
                {
                    // A crash between write and fsync; the chunk was never acknowledged.
                    LogTornTail(_logger, segment, bytes.Length - offset);
                    await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
                    {
                        file.SetLength(offset);
                        file.Flush(flushToDisk: true);
                    }

                    break;
                }

                var chunkLength = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset, 4));
                plain = Security.Envelope.Open(key, bytes.AsSpan(offset + 4, chunkLength), ChunkContext(segment, offset));
                foreach (var e in ParseChunk(plain))
                {
                    if (e.Feedback is not null || e.IsExternalPrediction)
                    {
                        _seen.TryAdd(e.EventId, Day(e.At));
                    }

                    foreach (var consumer in _consumers)
                    {
                        consumer.Replay(e);
                    }
                }

                offset += 4 + chunkLength;
            }
        }
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_options.Retention is not { } retention || now.ToUnixTimeMilliseconds() - _lastSweep < 3_600_000)
        {
            return;
        }

        _lastSweep = now.ToUnixTimeMilliseconds();
        await DeleteExpiredAsync(now - retention, cancellationToken);
    }

    /// <summary>Deletes day segments entirely older than <paramref name="cutoff"/> and destroys their data keys; returns how
    /// many were deleted. Runs hourly by itself with the configured retention.</summary>
    public async Task<int> DeleteExpiredAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        var last = SegmentName(cutoff);
        foreach (var path in System.IO.Directory.GetFiles(_directory, "predictions-*.seg"))
        {
            var segment = Path.GetFileName(path);
            if (string.CompareOrdinal(segment, last) >= 0)
            {
                continue;
            }

            await using (var uow = await _database.BeginAsync(cancellationToken))
            {
                await _keys.DestroyAsync(uow, "segment:" + segment, cancellationToken);
                await uow.CommitAsync(cancellationToken);
            }

            File.Delete(path);
            deleted++;
            LogSegmentExpired(_logger, segment);
        }

        if (deleted > 0)
        {
            var firstKept = Day(cutoff);
            lock (_seenLock)
            {
                foreach (var (id, day) in _seen)
                {
                    if (day < firstKept)
                    {
                        _seen.Remove(id);
                    }
                }
            }
        }

        return deleted;
    }

    /// <summary>Reads every stored prediction back (decrypting and authenticating each chunk), oldest first.</summary>
    public async IAsyncEnumerable<PredictionEvent> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var e in ReadEventsAsync(cancellationToken))
        {
            if (e.Prediction is not null)
            {
                yield return e.Prediction;
            }
        }
    }

    /// <summary>Reads every stored event back (decrypting and authenticating each chunk), oldest first. A chunk that fails
    /// authentication stops the read with an exception naming it.</summary>
    public async IAsyncEnumerable<LoggedEvent> ReadEventsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!System.IO.Directory.Exists(_directory))
        {
            yield break;
        }

        foreach (var path in System.IO.Directory.GetFiles(_directory, "predictions-*.seg").Order(StringComparer.Ordinal))
        {
            var segment = Path.GetFileName(path);
            var key = await _keys.GetAsync("segment:" + segment, null, cancellationToken)
                      ?? throw new System.Security.Cryptography.CryptographicException($"segment {segment} has no data key");
            byte[] bytes;
            await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            {
                bytes = new byte[file.Length];
                await file.ReadExactlyAsync(bytes, cancellationToken);
            }

            var offset = 0;
            while (offset + 4 <= bytes.Length)
            {
                var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset, 4));
                if (offset + 4 + length > bytes.Length)
                {
                    break; // being written right now
                }

                var plain = Security.Envelope.Open(key, bytes.AsSpan(offset + 4, length), ChunkContext(segment, offset));
                foreach (var e in ParseChunk(plain))
                {
                    yield return e;
                }

                offset += 4 + length;
            }
        }
    }

    private static List<LoggedEvent> ParseChunk(byte[] plain)
    {
        var events = new List<LoggedEvent>();
        foreach (var line in System.Text.Encoding.UTF8.GetString(plain).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // Segments written before feedback existed hold bare predictions.
            var e = line.Contains("\"prediction\":{", StringComparison.Ordinal) || line.Contains("\"feedback\":{", StringComparison.Ordinal)
                ? JsonSerializer.Deserialize<LoggedEvent>(line, Json)
                : null;
            events.Add(e is { Prediction: not null } or { Feedback: not null } ? e : new LoggedEvent(JsonSerializer.Deserialize<PredictionEvent>(line, Json)));
        }

        return events;
    }

    private static int Day(DateTimeOffset at) => (int)(at.UtcTicks / TimeSpan.TicksPerDay);

    /// <summary>Event ids remembered for idempotency (posted events and feedback in the retained segments).</summary>
    public int RememberedIds
    {
        get
        {
            lock (_seenLock)
            {
                return _seen.Count;
            }
        }
    }

    private static string SegmentName(DateTimeOffset at) =>
        $"predictions-{at.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}.seg";

    private static string ChunkContext(string segment, long offset) => $"warden-segment|{segment}|offset:{offset}";

    /// <inheritdoc />
    public override void Dispose()
    {
        _flushed.Dispose();
        _urgent.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not persist {Count} events")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "The event log could not be recovered completely")]
    private static partial void LogRecoveryFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event log segment {Segment}: truncated a torn tail of {Bytes} bytes (never acknowledged)")]
    private static partial void LogTornTail(ILogger logger, string segment, int bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event log segment {Segment} expired and was deleted with its data key")]
    private static partial void LogSegmentExpired(ILogger logger, string segment);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event log consumer {Consumer} failed")]
    private static partial void LogConsumerFailed(ILogger logger, Exception exception, string consumer);
}
