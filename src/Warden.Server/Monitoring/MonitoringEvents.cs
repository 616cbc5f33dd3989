using Microsoft.Extensions.Options;
using Warden.Contracts;
using Warden.Server.Serving;

namespace Warden.Server.Monitoring;

/// <summary>Monitoring's view of the event log: at start, the checkpointed windows are loaded and the log is replayed to
/// rebuild the label join and the outcomes; afterwards each durable batch's feedback is joined to its predictions and handed
/// to the other feedback listeners (experiments).</summary>
public sealed partial class MonitoringEvents(MonitoringService monitoring, IServiceProvider services, TimeProvider time, IOptions<MonitoringOptions> options,
    ILogger<MonitoringEvents> logger) : IEventLogConsumer
{
    private readonly Dictionary<(string RequestId, string Model, int Version), List<PredictionEvent>> _replayed = new();
    private readonly List<FeedbackEvent> _replayedFeedback = [];
    private IFeedbackListener[]? _listeners;

    /// <inheritdoc />
    public void Replay(LoggedEvent e)
    {
        if (e.Prediction is { } p && p.At >= time.GetUtcNow() - options.Value.LabelHorizon)
        {
            var key = (p.RequestId, p.Model, p.Version);
            if (!_replayed.TryGetValue(key, out var list))
            {
                _replayed[key] = list = [];
            }

            list.Add(p);
        }
        else if (e.Feedback is { } f)
        {
            _replayedFeedback.Add(f);
        }
    }

    /// <inheritdoc />
    public async ValueTask ReplayCompletedAsync(CancellationToken cancellationToken)
    {
        await monitoring.LoadCheckpointsAsync(cancellationToken);
        foreach (var group in _replayed.Values)
        {
            for (var i = 0; i < group.Count; i++)
            {
                try
                {
                    await monitoring.ReplayPredictionAsync(group[i], i, group.Count, cancellationToken);
                }
                catch (Platform.WardenProblemException)
                {
                    // The version no longer exists.
                }
            }
        }

        foreach (var f in _replayedFeedback)
        {
            await monitoring.ApplyFeedbackAsync(f, cancellationToken);
        }

        LogReplayed(logger, _replayed.Values.Sum(g => g.Count), _replayedFeedback.Count);
        _replayed.Clear();
        _replayedFeedback.Clear();
    }

    /// <inheritdoc />
    public async ValueTask OnAppendedAsync(IReadOnlyList<LoggedEvent> batch, CancellationToken cancellationToken)
    {
        List<FeedbackEvent>? feedback = null;
        foreach (var e in batch)
        {
            if (e.Feedback is { } f)
            {
                (feedback ??= []).Add(f);
                await monitoring.ApplyFeedbackAsync(f, cancellationToken);
            }
        }

        if (feedback is null)
        {
            return;
        }

        _listeners ??= services.GetServices<IFeedbackListener>().ToArray();
        foreach (var listener in _listeners)
        {
            try
            {
                await listener.OnFeedbackAsync(feedback, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogListenerFailed(logger, ex, listener.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Monitoring replayed {Predictions} predictions and {Feedback} feedback events from the event log")]
    private static partial void LogReplayed(ILogger logger, int predictions, int feedback);

    [LoggerMessage(Level = LogLevel.Error, Message = "Feedback listener {Listener} failed")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception, string listener);
}

/// <summary>Checkpoints changed windows on a cadence and at shutdown, and expires the label join.</summary>
public sealed class MonitoringCheckpointer(MonitoringService monitoring, LabelJoin join, TimeProvider time, IOptions<MonitoringOptions> options) : BackgroundService
{
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(options.Value.CheckpointInterval, time, stoppingToken);
                await monitoring.CheckpointAsync(stoppingToken);
                join.Expire(time.GetUtcNow());
                if (time.GetUtcNow() - _lastPrune > TimeSpan.FromHours(1))
                {
                    _lastPrune = time.GetUtcNow();
                    await monitoring.PruneCheckpointsAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await monitoring.CheckpointAsync(CancellationToken.None);
        }
    }
}
