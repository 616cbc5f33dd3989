using System.Diagnostics;
using System.Threading.Channels;
using Warden.Inference;

namespace Warden.Server.Serving;

/// <summary>Dynamic batching for one loaded version: records from concurrent requests wait in a bounded queue and are
/// scored together (up to MaxBatchSize, waiting at most MaxQueueDelay for company), by ConcurrencyPerVersion workers.
/// Model calls at once are limited by the version's concurrency slots. When nothing is queued, a slot is free and no
/// queue delay is configured, the caller scores its own records at once on its own thread: that is the batch a worker
/// would have formed, without the hand-off to a worker and back.</summary>
internal sealed class Batcher : IAsyncDisposable
{
    private readonly Channel<Item> _queue;
    private readonly Task[] _workers;
    private readonly IScoringModel _model;
    private readonly IReadOnlyList<string> _columns;
    private readonly Dictionary<string, int> _columnIndex;
    private readonly ServingOptions _options;
    private readonly ServingMetrics _metrics;
    private readonly SemaphoreSlim _slots;
    private readonly string _modelName;
    private readonly int _version;
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Records admitted and not yet handed to the model: those in the channel and those gathered into a batch
    /// that is still waiting for company. As in Triton's dynamic batcher, a forming batch is still queued, so the
    /// queue capacity bounds both.</summary>
    private int _pending;

    public Batcher(IScoringModel model, IReadOnlyList<string> columns, ServingOptions options, ServingMetrics metrics, string modelName, int version, SemaphoreSlim slots)
    {
        _model = model;
        _columns = columns;
        _columnIndex = CsvTable.IndexColumns(columns);
        _options = options;
        _metrics = metrics;
        _modelName = modelName;
        _version = version;
        _slots = slots;
        _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleWriter = false, SingleReader = false });
        _workers = Enumerable.Range(0, Math.Max(1, options.ConcurrencyPerVersion)).Select(_ => Task.Run(WorkAsync)).ToArray();
    }

    /// <summary>Scores rows and returns their scores in order; throws <see cref="QueueFullException"/> when the queue
    /// cannot take them (a request larger than the whole queue is admitted only when nothing else waits) and <see cref="TimeoutException"/> when they are not scored within RequestTimeout.</summary>
    public ValueTask<double[]> ScoreAsync(IReadOnlyList<string[]> rows, CancellationToken cancellationToken)
    {
        if (_options.MaxQueueDelayMicroseconds <= 0 && rows.Count <= _options.MaxBatchSize && Volatile.Read(ref _pending) == 0 && _slots.Wait(0, CancellationToken.None))
        {
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                return ValueTask.FromResult(ScoreNow(rows));
            }
            catch (Exception e)
            {
                return ValueTask.FromException<double[]>(e);
            }
            finally
            {
                _slots.Release();
            }
        }

        return new ValueTask<double[]>(QueueAsync(rows, cancellationToken));
    }

    private double[] ScoreNow(IReadOnlyList<string[]> rows)
    {
        var started = Stopwatch.GetTimestamp();
        var scores = _model.Score(CsvTable.FromRows(_columns, rows as List<string[]> ?? [.. rows], _columnIndex));
        _metrics.Batch(_modelName, _version, rows.Count, 0, Stopwatch.GetElapsedTime(started).TotalSeconds);
        return scores;
    }

    private async Task<double[]> QueueAsync(IReadOnlyList<string[]> rows, CancellationToken cancellationToken)
    {
        var admitted = Interlocked.Add(ref _pending, rows.Count);
        if (admitted > _options.QueueCapacity && admitted != rows.Count)
        {
            Interlocked.Add(ref _pending, -rows.Count);
            throw new QueueFullException();
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        var items = new Item[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            items[i] = new Item(rows[i], Stopwatch.GetTimestamp(), timeout.Token);
            if (!_queue.Writer.TryWrite(items[i]))
            {
                // The version is being unloaded after its grace period: a retry is routed to its successor.
                Interlocked.Add(ref _pending, -(rows.Count - i));
                for (var j = 0; j < i; j++)
                {
                    items[j].Result.TrySetCanceled(CancellationToken.None);
                }

                throw new QueueFullException();
            }
        }

        var scores = new double[rows.Count];
        try
        {
            for (var i = 0; i < items.Length; i++)
            {
                scores[i] = await items[i].Result.Task.WaitAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"not scored within {_options.RequestTimeout.TotalSeconds:0.#} s");
        }

        return scores;
    }

    private async Task WorkAsync()
    {
        var batch = new List<Item>(_options.MaxBatchSize);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token))
            {
                await _slots.WaitAsync(_stop.Token);
                try
                {
                    if (!reader.TryRead(out var first))
                    {
                        continue;
                    }

                    batch.Add(first);
                    var deadline = first.Enqueued + (long)(_options.MaxQueueDelayMicroseconds * (Stopwatch.Frequency / 1_000_000.0));
                    while (batch.Count < _options.MaxBatchSize)
                    {
                        if (reader.TryRead(out var next))
                        {
                            batch.Add(next);
                        }
                        else if (Stopwatch.GetTimestamp() < deadline)
                        {
                            Thread.SpinWait(50);
                        }
                        else
                        {
                            break;
                        }
                    }

                    Run(batch);
                    batch.Clear();
                }
                finally
                {
                    _slots.Release();
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Shutting down: whatever is queued is cancelled below.
        }
    }

    private void Run(List<Item> batch)
    {
        Interlocked.Add(ref _pending, -batch.Count);
        batch.RemoveAll(i => i.Cancellation.IsCancellationRequested && i.Result.TrySetCanceled(i.Cancellation));
        if (batch.Count == 0)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var queueSeconds = batch.Average(i => Stopwatch.GetElapsedTime(i.Enqueued, started).TotalSeconds);
        try
        {
            var scores = _model.Score(CsvTable.FromRows(_columns, batch.Select(i => i.Row).ToList(), _columnIndex));
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result.TrySetResult(scores[i]);
            }
        }
        catch (Exception e)
        {
            foreach (var item in batch)
            {
                item.Result.TrySetException(e);
            }
        }

        _metrics.Batch(_modelName, _version, batch.Count, queueSeconds, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        await Task.WhenAll(_workers.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
        while (_queue.Reader.TryRead(out var item))
        {
            item.Result.TrySetCanceled();
        }

        _stop.Dispose();
    }

    private sealed record Item(string[] Row, long Enqueued, CancellationToken Cancellation)
    {
        public TaskCompletionSource<double> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>The batch queue of a version is full.</summary>
public sealed class QueueFullException() : Exception("the model's request queue is full");
