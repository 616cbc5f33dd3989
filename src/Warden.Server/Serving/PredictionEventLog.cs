using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
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

/// <summary>The embedded prediction event store: a bounded in-process queue drained by one writer into append-only segments
/// (DATA/events/predictions-YYYY-MM-DD.seg), one per day, each with its own data key (envelope encryption). Every batch
/// is a sealed chunk — length prefix, then AES-256-GCM over the batch's JSON lines with associated data binding the
/// segment name and the chunk's offset, so chunks cannot be reordered, moved or spliced unnoticed — flushed to disk. The response never waits for the disk; when the
/// queue is full the event is counted as dropped (warden.events.dropped) rather than blocking or vanishing silently.
/// The monitoring issue replaces this with the durable event log (group commit, idempotency, replay).</summary>
public sealed partial class PredictionEventLog : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly Channel<PredictionEvent> _queue = Channel.CreateBounded<PredictionEvent>(new BoundedChannelOptions(100_000)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private readonly string _directory;
    private readonly Counter<long> _written;
    private readonly Counter<long> _dropped;
    private readonly ILogger<PredictionEventLog> _logger;
    private readonly Security.DataKeyStore _keys;

    /// <summary>Creates the log in DATA/events.</summary>
    public PredictionEventLog(IOptions<WardenOptions> options, IMeterFactory meters, Security.DataKeyStore keys, ILogger<PredictionEventLog> logger)
    {
        _keys = keys;
        _directory = Path.Combine(options.Value.DataDirectory, "events");
        var meter = meters.Create(Telemetry.MeterName);
        _written = meter.CreateCounter<long>("warden.events.written", unit: "{event}", description: "Prediction events persisted.");
        _dropped = meter.CreateCounter<long>("warden.events.dropped", unit: "{event}", description: "Prediction events dropped because the queue was full.");
        _logger = logger;
    }

    /// <summary>The folder holding the segments.</summary>
    public string Directory => _directory;

    /// <summary>Queues an event without waiting; returns false (and counts it) when the queue is full.</summary>
    public bool TryAppend(PredictionEvent e)
    {
        if (_queue.Writer.TryWrite(e))
        {
            return true;
        }

        _dropped.Add(1);
        return false;
    }

    /// <summary>Waits until everything queued so far is on disk (for tests and shutdown).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (_queue.Reader.Count > 0)
        {
            await Task.Delay(10, cancellationToken);
        }

        await _flushed.WaitAsync(cancellationToken);
        _flushed.Release();
    }

    private readonly SemaphoreSlim _flushed = new(1, 1);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        System.IO.Directory.CreateDirectory(_directory);
        var batch = new List<PredictionEvent>(1024);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await _flushed.WaitAsync(stoppingToken);
                try
                {
                    while (batch.Count < 1024 && _queue.Reader.TryRead(out var e))
                    {
                        batch.Add(e);
                    }

                    await WriteAsync(batch);
                    _written.Add(batch.Count);
                    batch.Clear();
                }
                finally
                {
                    _flushed.Release();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Drain what is left on shutdown.
            while (_queue.Reader.TryRead(out var e))
            {
                batch.Add(e);
            }

            await WriteAsync(batch);
        }
    }

    private async Task WriteAsync(List<PredictionEvent> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            foreach (var day in batch.GroupBy(e => e.At.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)))
            {
                var segment = $"predictions-{day.Key}.seg";
                var key = await _keys.GetAsync("segment:" + segment, "segment");
                var lines = new System.Text.StringBuilder();
                foreach (var e in day)
                {
                    lines.Append(JsonSerializer.Serialize(e, Json)).Append('\n');
                }

                await using var file = new FileStream(Path.Combine(_directory, segment), FileMode.Append, FileAccess.Write, FileShare.Read, 65536, FileOptions.Asynchronous);
                var chunk = Security.Envelope.Seal(key!, System.Text.Encoding.UTF8.GetBytes(lines.ToString()), ChunkContext(segment, file.Position));
                var length = new byte[4];
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, chunk.Length);
                await file.WriteAsync(length);
                await file.WriteAsync(chunk);
                await file.FlushAsync();
                file.Flush(flushToDisk: true);
            }
        }
        catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException)
        {
            _dropped.Add(batch.Count);
            LogWriteFailed(_logger, e, batch.Count);
        }
    }

    /// <summary>Reads every stored event back (decrypting and authenticating each chunk), oldest first. For the monitoring
    /// consumers, exports and tests; a chunk that fails authentication stops the read with an exception naming it.</summary>
    public async IAsyncEnumerable<PredictionEvent> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
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
            var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
            var offset = 0;
            while (offset + 4 <= bytes.Length)
            {
                var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset, 4));
                var plain = Security.Envelope.Open(key, bytes.AsSpan(offset + 4, length), ChunkContext(segment, offset));
                foreach (var line in System.Text.Encoding.UTF8.GetString(plain).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    yield return JsonSerializer.Deserialize<PredictionEvent>(line, Json)!;
                }

                offset += 4 + length;
            }
        }
    }

    private static string ChunkContext(string segment, long offset) => $"warden-segment|{segment}|offset:{offset}";

    /// <inheritdoc />
    public override void Dispose()
    {
        _flushed.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not persist {Count} prediction events")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count);
}
