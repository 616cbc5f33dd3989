using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Warden.Contracts;
using Warden.Inference;
using Warden.Server.Data;
using Warden.Server.Platform;
using Warden.Server.Privacy;
using Warden.Server.Registry;

namespace Warden.Server.Serving;

/// <summary>The tabular prediction path: alias → approved version → validated records → model → response, with a
/// prediction event (inputs through the model's privacy field policy) queued without blocking. Only versions that hold
/// the alias, are approved and are not past review are ever used. (The online-inference issue adds batching, OIP,
/// canary and shadow traffic on top of this path.)</summary>
public sealed class PredictionService(
    WardenDatabase database,
    IArtifactStore artifacts,
    PrivacyService privacy,
    PredictionEventLog events,
    Security.SubjectVault subjects,
    TimeProvider time)
{
    /// <summary>Largest number of records in one request.</summary>
    public const int MaxRecords = 1000;

    private readonly ConcurrentDictionary<string, Lazy<Task<IScoringModel>>> _models = new(StringComparer.Ordinal);

    /// <summary>Scores <paramref name="records"/> with the version holding <paramref name="alias"/>.</summary>
    public async Task<PredictionResponse> PredictAsync(string model, string alias, IReadOnlyList<JsonElement> records, string? unitId,
        string requestId, string callerKeyId, CancellationToken cancellationToken, string? subjectId = null)
    {
        var started = Stopwatch.GetTimestamp();
        if (records.Count == 0 || records.Count > MaxRecords)
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]> { ["records"] = [$"send between 1 and {MaxRecords} records"] });
        }

        var version = await ResolveAsync(model, alias, cancellationToken);
        var signature = version.ParsedSignature;
        var table = ToTable(records, signature);
        var scorer = await _models.GetOrAdd(version.ArtifactSha256, _ => new Lazy<Task<IScoringModel>>(() => LoadAsync(version))).Value;
        double[] scores;
        try
        {
            scores = scorer.Score(table);
        }
        catch (ScoringException e)
        {
            throw new WardenProblemException(StatusCodes.Status400BadRequest, "The records cannot be scored.", e.Message);
        }

        var classifier = version.ModelTask == ModelTasks.BinaryClassification;
        var predictions = scores.Select(s => classifier ? new RecordPrediction(s >= 0.5, s) : new RecordPrediction(s, null)).ToList();
        var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        for (var i = 0; i < records.Count; i++)
        {
            var inputs = signature.Features.ToDictionary(f => f.Name, f => (object?)table.Rows[i][table.Columns.ToList().IndexOf(f.Name)], StringComparer.Ordinal);
            var stored = await privacy.ApplyFieldPolicyAsync(inputs, signature, version.Classification, $"model:{model}", cancellationToken);
            var eventId = Guid.CreateVersion7().ToString("N");
            string? subject = null, sealedInputs = null;
            if (subjectId is not null)
            {
                subject = Security.SubjectVault.SubjectDigest(subjectId);
                sealedInputs = Convert.ToBase64String(await subjects.SealAsync(subjectId, eventId, JsonSerializer.SerializeToUtf8Bytes(stored), cancellationToken));
                stored = [];
            }

            events.TryAppend(new PredictionEvent(eventId, requestId, model, version.Number, alias, time.GetUtcNow(), stored,
                new Dictionary<string, object?> { ["prediction"] = predictions[i].Prediction, ["probability"] = predictions[i].Probability },
                latency, callerKeyId, unitId, subject, sealedInputs));
        }

        return new PredictionResponse(model, version.Number, alias, requestId, predictions);
    }

    private async Task<VersionRow> ResolveAsync(string model, string alias, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(
            $"SELECT {RegistryService.VersionColumns} FROM aliases a JOIN models m ON m.id = a.model_id JOIN model_versions v ON v.id = a.version_id " +
            "WHERE m.name = @model AND a.alias = @alias", new { model, alias }, cancellationToken: cancellationToken));
        if (row is null)
        {
            throw WardenProblemException.NotFound($"An approved version of '{model}' holding '{alias}'");
        }

        // Defence in depth: an alias can only point at an approved version, but serving checks again.
        if (row.State != VersionStates.Approved || RegistryService.IsOverdue(row, time.GetUtcNow().ToUnixTimeMilliseconds()))
        {
            throw new WardenProblemException(StatusCodes.Status503ServiceUnavailable, "No servable version.",
                $"{model} v{row.Version} holds '{alias}' but is {(row.State != VersionStates.Approved ? row.State : "past its periodic review")}; it is not served.");
        }

        return row;
    }

    private async Task<IScoringModel> LoadAsync(VersionRow version)
    {
        var bytes = await artifacts.GetAsync(version.ArtifactSha256) ?? throw new InvalidOperationException($"artifact {version.ArtifactSha256} is missing");
        return ModelRuntime.Load(bytes, version.ParsedSignature.Features, version.LabelColumn);
    }

    private static CsvTable ToTable(IReadOnlyList<JsonElement> records, ModelSignature signature)
    {
        var features = signature.Features;
        var known = features.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var rows = new List<string[]>(records.Count);
        for (var r = 0; r < records.Count; r++)
        {
            var record = records[r];
            if (record.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"records[{r}]", "must be an object of feature values");
            }

            foreach (var property in record.EnumerateObject())
            {
                if (!known.Contains(property.Name))
                {
                    throw Invalid($"records[{r}].{property.Name}", $"is not a feature of the model; it takes {string.Join(", ", features.Select(f => f.Name))}");
                }
            }

            var row = new string[features.Count];
            for (var j = 0; j < features.Count; j++)
            {
                var f = features[j];
                if (!record.TryGetProperty(f.Name, out var value) || value.ValueKind == JsonValueKind.Null)
                {
                    throw Invalid($"records[{r}].{f.Name}", $"is missing (expected {f.Kind})");
                }

                row[j] = f.Kind switch
                {
                    FeatureKinds.Numeric when value.ValueKind == JsonValueKind.Number => value.GetDouble().ToString("R", CultureInfo.InvariantCulture),
                    FeatureKinds.Boolean when value.ValueKind is JsonValueKind.True or JsonValueKind.False => value.GetBoolean() ? "true" : "false",
                    FeatureKinds.Categorical or FeatureKinds.Text when value.ValueKind == JsonValueKind.String => value.GetString()!,
                    _ => throw Invalid($"records[{r}].{f.Name}", $"expected {f.Kind} ({f.ElementType}) but got {value.ValueKind.ToString().ToLowerInvariant()}"),
                };
            }

            rows.Add(row);
        }

        return CsvTable.FromRows(features.Select(f => f.Name).ToList(), rows);
    }

    private static WardenProblemException Invalid(string field, string message) =>
        WardenProblemException.Validation(new Dictionary<string, string[]> { [field] = [message] });
}
