using System.Diagnostics;
using System.Threading.Channels;
using Warden.Inference;

namespace Warden.Server.Serving;

/// <summary>Dynamic batching for one loaded version: records from concurrent requests wait in a bounded queue and are
/// scored together (up to MaxBatchSize, waiting at most MaxQueueDelay for company), by ConcurrencyPerVersion workers.</summary>
internal sealed class Batcher : IAsyncDisposable
{
    private readonly Channel<Item> _queue;
    private readonly Task[] _workers;
    private readonly IScoringModel _model;
    private readonly IReadOnlyList<string> _columns;
    private readonly ServingOptions _options;
    private readonly ServingMetrics _metrics;
    private readonly string _modelName;
    private readonly int _version;
    private readonly CancellationTokenSource _stop = new();

    public Batcher(IScoringModel model, IReadOnlyList<string> columns, ServingOptions options, ServingMetrics metrics, string modelName, int version)
    {
        _model = model;
        _columns = columns;
        _options = options;
        _metrics = metrics;
        _modelName = modelName;
        _version = version;
        _queue = Channel.CreateBounded<Item>(new BoundedChannelOptions(options.QueueCapacity) { FullMode = BoundedChannelFullMode.Wait });
        _workers = Enumerable.Range(0, Math.Max(1, options.ConcurrencyPerVersion)).Select(_ => Task.Run(WorkAsync)).ToArray();
    }

    /// <summary>Queues rows and returns their scores in order; throws <see cref="QueueFullException"/> when the queue is full.</summary>
    public async Task<double[]> ScoreAsync(IReadOnlyList<string[]> rows, CancellationToken cancellationToken)
    {
        var items = new Item[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            items[i] = new Item(rows[i], Stopwatch.GetTimestamp(), cancellationToken);
            if (!_queue.Writer.TryWrite(items[i]))
            {
                for (var j = 0; j < i; j++)
                {
                    items[j].Result.TrySetCanceled(CancellationToken.None);
                }

                throw new QueueFullException();
            }
        }

        var scores = new double[rows.Count];
        for (var i = 0; i < items.Length; i++)
        {
            scores[i] = await items[i].Result.Task.WaitAsync(cancellationToken);
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
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Shutting down: whatever is queued is cancelled below.
        }
    }

    private void Run(List<Item> batch)
    {
        batch.RemoveAll(i => i.Cancellation.IsCancellationRequested && i.Result.TrySetCanceled(i.Cancellation));
        if (batch.Count == 0)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var queueSeconds = batch.Average(i => Stopwatch.GetElapsedTime(i.Enqueued, started).TotalSeconds);
        try
        {
            var scores = _model.Score(CsvTable.FromRows(_columns, batch.Select(i => i.Row).ToList()));
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
