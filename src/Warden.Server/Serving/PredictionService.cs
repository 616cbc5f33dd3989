using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Warden.Contracts;
using Warden.Inference;
using Warden.Server.Platform;
using Warden.Server.Privacy;

namespace Warden.Server.Serving;

/// <summary>The tabular prediction path: route (explicit alias, or the model's traffic policy, sticky by unit id) →
/// approved, loaded version → records validated against the signature → dynamic batcher → response; shadow aliases get
/// a copy asynchronously (bounded, never slowing the primary); every prediction becomes an event whose inputs went
/// through the model's privacy field policy.</summary>
public sealed class PredictionService(
    DeploymentTable deployments,
    TrafficRouter router,
    PrivacyService privacy,
    EventLog events,
    Security.SubjectVault subjects,
    Monitoring.MonitoringService monitoring,
    ServingMetrics metrics,
    IOptions<ServingOptions> options,
    TimeProvider time,
    IExperimentRouter? experiments = null)
{
    /// <summary>Largest number of records in one request.</summary>
    public const int MaxRecords = 1000;

    private static readonly string[] OutputNames = ["prediction", "probability"];

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> _shadowSlots = new(StringComparer.Ordinal);

    /// <summary>Scores <paramref name="records"/>; <paramref name="alias"/> null means "follow the traffic policy".</summary>
    public async Task<PredictionResponse> PredictAsync(string model, string? alias, IReadOnlyList<JsonElement> records, string? unitId,
        string requestId, string callerKeyId, CancellationToken cancellationToken, string? subjectId = null)
    {
        var started = Stopwatch.GetTimestamp();
        if (records.Count == 0 || records.Count > MaxRecords)
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]> { ["records"] = [$"send between 1 and {MaxRecords} records"] });
        }

        var policy = alias is null ? await router.GetAsync(model, cancellationToken) : null;
        // A running experiment decides for the units it covers; everything else follows the traffic policy.
        var experiment = alias is null && unitId is not null && experiments is not null ? await experiments.RouteAsync(model, unitId, records[0], cancellationToken) : null;
        var chosen = experiment?.Alias ?? alias ?? TrafficRouter.Choose(policy!, model, unitId);
        var version = experiment?.Version ?? await deployments.ResolveAsync(model, chosen);
        if (version is null && alias is null)
        {
            // The chosen canary route has no servable version: fall back to the first route that has one.
            foreach (var route in policy!.Routes.Where(r => r.Alias != chosen))
            {
                version = await deployments.ResolveAsync(model, route.Alias);
                if (version is not null)
                {
                    chosen = route.Alias;
                    break;
                }
            }
        }

        if (version is null)
        {
            throw WardenProblemException.NotFound($"An approved version of '{model}' holding '{chosen}'");
        }

        metrics.InFlight(model, 1);
        var failed = true;
        try
        {
            var rows = ToRows(records, version.Signature, version.Index);
            double[] scores;
            try
            {
                scores = await version.ScoreAsync(rows, cancellationToken);
            }
            catch (QueueFullException)
            {
                metrics.Request(model, version.Version, "queue_full", 0);
                throw new WardenProblemException(StatusCodes.Status429TooManyRequests, "The model is at capacity.",
                    $"{model} v{version.Version} has {options.Value.QueueCapacity} records waiting; retry shortly.");
            }
            catch (TimeoutException)
            {
                metrics.Request(model, version.Version, "timeout", 0);
                throw new WardenProblemException(StatusCodes.Status504GatewayTimeout, "The model did not answer in time.",
                    $"No answer within {options.Value.For(model).RequestTimeout.TotalSeconds:0.#} s.");
            }
            catch (ScoringException e)
            {
                metrics.Request(model, version.Version, "invalid_input", 0);
                throw new WardenProblemException(StatusCodes.Status400BadRequest, "The records cannot be scored.", e.Message);
            }

            var classifier = version.Row.ModelTask == ModelTasks.BinaryClassification;
            var predictions = scores.Select(s => classifier ? new RecordPrediction(s >= 0.5, s) : new RecordPrediction(s, null)).ToList();
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            metrics.Request(model, version.Version, "success", seconds);
            failed = false;
            await LogAsync(version, chosen, rows, predictions, seconds * 1000, requestId, callerKeyId, unitId, subjectId, shadow: false, cancellationToken, experiment);
            if (policy?.Shadows is { Count: > 0 } shadows)
            {
                foreach (var shadow in shadows)
                {
                    Shadow(model, shadow, rows, requestId, callerKeyId, unitId);
                }
            }

            return new PredictionResponse(model, version.Version, chosen, requestId, predictions);
        }
        finally
        {
            metrics.InFlight(model, -1);
            if (experiment is not null && !cancellationToken.IsCancellationRequested)
            {
                experiments!.RecordServed(experiment, Stopwatch.GetElapsedTime(started).TotalMilliseconds, failed);
            }
        }
    }

    private void Shadow(string model, string alias, List<string[]> rows, string requestId, string callerKeyId, string? unitId)
    {
        var slots = _shadowSlots.GetOrAdd(model, _ => new SemaphoreSlim(options.Value.ShadowConcurrency));
        if (!slots.Wait(0))
        {
            metrics.ShadowDropped(model);
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                var version = await deployments.ResolveAsync(model, alias);
                if (version is null)
                {
                    return;
                }

                var started = Stopwatch.GetTimestamp();
                var scores = await version.ScoreAsync(rows, CancellationToken.None);
                var classifier = version.Row.ModelTask == ModelTasks.BinaryClassification;
                var predictions = scores.Select(s => classifier ? new RecordPrediction(s >= 0.5, s) : new RecordPrediction(s, null)).ToList();
                await LogAsync(version, alias, rows, predictions, Stopwatch.GetElapsedTime(started).TotalMilliseconds, requestId, callerKeyId, unitId, null, shadow: true,
                    CancellationToken.None);
            }
            catch (Exception e) when (e is ScoringException or QueueFullException or TimeoutException or InvalidOperationException)
            {
                metrics.ShadowDropped(model);
            }
            finally
            {
                slots.Release();
            }
        });
    }

    private async Task LogAsync(LoadedVersion version, string alias, List<string[]> rows, IReadOnlyList<RecordPrediction> predictions, double latencyMs,
        string requestId, string callerKeyId, string? unitId, string? subjectId, bool shadow, CancellationToken cancellationToken, ExperimentRoute? experiment = null)
    {
        // Raw values are profiled in memory (aggregates only) before the privacy policy masks what is stored.
        var outputs = new double[predictions.Count];
        for (var i = 0; i < outputs.Length; i++)
        {
            outputs[i] = predictions[i].Probability ?? (predictions[i].Prediction is double d ? d : double.NaN);
        }

        await monitoring.ObserveAsync(version.ModelName, version.Version, version.Signature.Features, rows, outputs, requestId, unitId, cancellationToken);
        for (var i = 0; i < rows.Count; i++)
        {
            IReadOnlyDictionary<string, object?> stored = await privacy.ApplyAsync(version.Policy, rows[i], version.Signature.Features, cancellationToken);
            var eventId = TimeOrderedId.NewHex();
            string? subject = null, sealedInputs = null;
            if (subjectId is not null)
            {
                subject = Security.SubjectVault.SubjectDigest(subjectId);
                sealedInputs = Convert.ToBase64String(await subjects.SealAsync(subjectId, eventId, JsonSerializer.SerializeToUtf8Bytes(stored), cancellationToken));
                stored = new Dictionary<string, object?>();
            }

            events.TryAppend(new PredictionEvent(eventId, requestId, version.ModelName, version.Version, alias, time.GetUtcNow(), stored,
                new StoredFieldDictionary(OutputNames, [predictions[i].Prediction, predictions[i].Probability]),
                latencyMs, callerKeyId, unitId, subject, sealedInputs, shadow, experiment?.Experiment, experiment?.Arm, experiment?.Probability));
        }
    }

    /// <summary>Validates records against the signature and returns rows of feature values in model order.</summary>
    internal static List<string[]> ToRows(IReadOnlyList<JsonElement> records, ModelSignature signature, IReadOnlyDictionary<string, int>? index = null)
    {
        var features = signature.Features;
        var rows = new List<string[]>(records.Count);
        for (var r = 0; r < records.Count; r++)
        {
            var record = records[r];
            if (record.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"records[{r}]", "must be an object of feature values");
            }

            var row = new string[features.Count];
            var seen = 0;
            var position = 0;
            foreach (var property in record.EnumerateObject())
            {
                // Callers usually send the features in signature order: compare the UTF-8 name in place before looking it up
                // (property.Name allocates a string).
                var j = position < features.Count && property.NameEquals(features[position].Name) ? position
                    : index is null ? IndexOf(features, property.Name) : index.TryGetValue(property.Name, out var at) ? at : -1;
                position = j + 1;
                if (j < 0)
                {
                    throw Invalid($"records[{r}].{property.Name}", $"is not a feature of the model; it takes {string.Join(", ", features.Select(f => f.Name))}");
                }

                var f = features[j];
                if (row[j] is not null)
                {
                    throw Invalid($"records[{r}].{f.Name}", "appears twice in the record");
                }

                var value = property.Value;
                row[j] = f.Kind switch
                {
                    FeatureKinds.Numeric when value.ValueKind == JsonValueKind.Number => value.GetRawText(), // JSON numbers are invariant text already
                    FeatureKinds.Boolean when value.ValueKind is JsonValueKind.True or JsonValueKind.False => value.GetBoolean() ? "true" : "false",
                    FeatureKinds.Categorical or FeatureKinds.Text when value.ValueKind == JsonValueKind.String => value.GetString()!,
                    _ => throw Invalid($"records[{r}].{f.Name}", $"expected {f.Kind} ({f.ElementType}) but got {value.ValueKind.ToString().ToLowerInvariant()}"),
                };
                seen++;
            }

            if (seen < features.Count)
            {
                var missing = features.Where((f, j) => row[j] is null).Select(f => f.Name).ToList();
                throw Invalid($"records[{r}].{missing[0]}", $"is missing (expected {features.First(f => f.Name == missing[0]).Kind}); missing: {string.Join(", ", missing)}");
            }

            rows.Add(row);
        }

        return rows;
    }

    private static int IndexOf(IReadOnlyList<FeatureSpec> features, string name)
    {
        for (var i = 0; i < features.Count; i++)
        {
            if (string.Equals(features[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static WardenProblemException Invalid(string field, string message) =>
        WardenProblemException.Validation(new Dictionary<string, string[]> { [field] = [message] });
}
