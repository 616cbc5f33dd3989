using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Warden.Server.Platform;

namespace Warden.Server.Serving;

/// <summary>One prediction, as stored: inputs already passed through the model's field policy (no raw personal values).</summary>
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
    string? UnitId);

/// <summary>The embedded prediction event store: a bounded in-process queue drained by one writer into append-only JSON-lines
/// segments (DATA/events/predictions-YYYY-MM-DD.jsonl), flushed per batch. The response never waits for the disk; when the
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

    /// <summary>Creates the log in DATA/events.</summary>
    public PredictionEventLog(IOptions<WardenOptions> options, IMeterFactory meters, ILogger<PredictionEventLog> logger)
    {
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
                var path = Path.Combine(_directory, $"predictions-{day.Key}.jsonl");
                await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 65536, FileOptions.Asynchronous);
                await using var writer = new StreamWriter(file);
                foreach (var e in day)
                {
                    await writer.WriteLineAsync(JsonSerializer.Serialize(e, Json));
                }

                await writer.FlushAsync();
                file.Flush(flushToDisk: true);
            }
        }
        catch (IOException e)
        {
            _dropped.Add(batch.Count);
            LogWriteFailed(_logger, e, batch.Count);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _flushed.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not persist {Count} prediction events")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count);
}
