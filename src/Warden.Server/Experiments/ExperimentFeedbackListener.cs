using Warden.Contracts;
using Warden.Server.Data;
using Warden.Server.Monitoring;

namespace Warden.Server.Experiments;

/// <summary>Turns feedback into metric observations: for each running or stopped experiment (of the feedback's model, when it
/// names one), every value named by one of its metrics (numerator, denominator or CUPED covariate) is stored against the
/// feedback's entity id, which is the unit id. Duplicates (same event id) are stored once.</summary>
public sealed partial class ExperimentFeedbackListener(WardenDatabase database, ExperimentRouter router, ILogger<ExperimentFeedbackListener> logger) : IFeedbackListener
{
    /// <inheritdoc />
    public async ValueTask OnFeedbackAsync(IReadOnlyList<FeedbackEvent> batch, CancellationToken cancellationToken)
    {
        try
        {
            var active = await router.ActiveAsync(cancellationToken);
            if (active.Count == 0)
            {
                return;
            }

            var rows = new List<object>();
            foreach (var e in batch)
            {
                if (string.IsNullOrEmpty(e.EntityId) || e.Values is not { Count: > 0 } values)
                {
                    continue;
                }

                foreach (var x in active.Where(x => e.Model is null || string.Equals(e.Model, x.Model, StringComparison.Ordinal)))
                {
                    foreach (var name in Names(x.Definition))
                    {
                        if (values.TryGetValue(name, out var value) && double.IsFinite(value))
                        {
                            rows.Add(new { experimentId = x.Id, eventId = e.EventId, name, unitId = e.EntityId, value, at = e.At.ToUnixTimeMilliseconds() });
                        }
                    }
                }
            }

            if (rows.Count == 0)
            {
                return;
            }

            await using var uow = await database.BeginAsync(cancellationToken);
            foreach (var row in rows)
            {
                await uow.ExecuteAsync(
                    "INSERT INTO experiment_observations (experiment_id, event_id, name, unit_id, value, at) VALUES (@experimentId, @eventId, @name, @unitId, @value, @at) " +
                    "ON CONFLICT DO NOTHING", row, cancellationToken);
            }

            await uow.CommitAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e, batch.Count);
        }
    }

    private static IEnumerable<string> Names(ExperimentDefinition definition) =>
        definition.Metrics.Where(m => m.Kind != MetricKinds.Native).SelectMany(m => new[] { m.Name, m.Denominator, m.Covariate }).OfType<string>().Distinct(StringComparer.Ordinal);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing experiment outcomes of {Count} feedback event(s) failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, int count);
}
