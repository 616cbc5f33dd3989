using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Warden.Contracts;
using Warden.Server.Data;
using Warden.Server.Platform;
using Warden.Server.Privacy;
using Warden.Server.Registry;
using Warden.Server.Serving;

namespace Warden.Server.Monitoring;

/// <summary>Validates posted events (predictions made elsewhere, feedback), stores them durably in the event log and
/// profiles the predictions. Structural mistakes (no type, unknown model or version, feedback that names no prediction)
/// reject the event; values that contradict the version's signature (wrong type, unknown or missing field) are accepted and
/// counted as data-quality violations of the window, because a monitor must see bad traffic rather than hide it.</summary>
public sealed class EventIngestor(EventLog log, MonitoringService monitoring, PrivacyService privacy, WardenDatabase database, TimeProvider time)
{
    /// <summary>Most events per call.</summary>
    public const int MaxEvents = 10_000;

    private static readonly List<(string Feature, string Kind, string Example)> NoViolations = [];

    private readonly ConcurrentDictionary<(string Model, int Version), VersionInfo> _versions = new();

    // A version's signature and field policy, re-read after CacheTtl so that a change of its data classification reaches
    // ingestion within seconds (the policy decides what is stored in clear).
    private sealed record VersionInfo(VersionRow Row, ModelSignature Signature, PrivacyService.FieldPolicy Policy, long ReadAt);

    private static readonly long CacheTtlMs = 30_000;

    /// <summary>Parses a body: a JSON array of events, an object with an "events" array, or JSON lines (one event per line).
    /// Events are read by hand from one document per line (or one for the whole array): the inputs stay views into that
    /// document instead of a parsed copy per value, which is most of the cost at tens of thousands of events a second.</summary>
    public static IReadOnlyList<(int Index, IngestEvent? Event, string? Error)> Parse(ReadOnlySpan<byte> body, bool jsonLines)
    {
        var events = new List<(int, IngestEvent?, string?)>();
        if (jsonLines)
        {
            // Fast path: the lines become one JSON array, parsed as one document (every event a view into it). Only when
            // that fails are the lines parsed one by one, to say which are malformed.
            var lines = new List<ReadOnlyMemory<byte>>();
            var bytes = body.ToArray();
            var start = 0;
            while (start < bytes.Length)
            {
                var end = Array.IndexOf(bytes, (byte)'\n', start);
                if (end < 0)
                {
                    end = bytes.Length;
                }

                var line = new ReadOnlyMemory<byte>(bytes, start, end - start);
                start = end + 1;
                if (!line.Span.Trim(" \t\r"u8).IsEmpty)
                {
                    lines.Add(line);
                }
            }

            var joined = new byte[bytes.Length + 2 + lines.Count];
            var at = 0;
            joined[at++] = (byte)'[';
            for (var i = 0; i < lines.Count; i++)
            {
                if (i > 0)
                {
                    joined[at++] = (byte)',';
                }

                lines[i].Span.CopyTo(joined.AsSpan(at));
                at += lines[i].Length;
            }

            joined[at++] = (byte)']';
            try
            {
                var array = JsonDocument.Parse(joined.AsMemory(0, at)).RootElement;
                if (array.GetArrayLength() == lines.Count)
                {
                    var index = 0;
                    foreach (var element in array.EnumerateArray())
                    {
                        events.Add(Read(index++, element));
                    }

                    return events;
                }
            }
            catch (JsonException)
            {
                // Some line is malformed (or holds more than one value): find out which below.
            }

            for (var index = 0; index < lines.Count; index++)
            {
                try
                {
                    events.Add(Read(index, JsonDocument.Parse(lines[index]).RootElement));
                }
                catch (JsonException e)
                {
                    events.Add((index, null, $"line {index + 1} is not a JSON event: {e.Message}"));
                }
            }

            return events;
        }

        try
        {
            var root = JsonDocument.Parse(body.ToArray()).RootElement;
            var array = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("events", out var inner) ? inner : root;
            if (array.ValueKind != JsonValueKind.Array)
            {
                throw new WardenProblemException(StatusCodes.Status400BadRequest, "The body is not a batch of events.",
                    "Send a JSON array of events, {\"events\": [...]}, or JSON lines with Content-Type application/x-ndjson.");
            }

            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                events.Add(Read(index++, element));
            }
        }
        catch (JsonException e)
        {
            throw new WardenProblemException(StatusCodes.Status400BadRequest, "The body is not valid JSON.", e.Message);
        }

        return events;
    }

    [ThreadStatic]
    private static string[]? _inputNames;

    // One event from its JSON object, with the same names and rules as the IngestEvent contract (camelCase).
    private static (int, IngestEvent?, string?) Read(int index, JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return (index, null, $"event {index} is not a JSON object");
        }

        string? type = null, eventId = null, model = null, requestId = null, entityId = null;
        int? version = null;
        DateTimeOffset? at = null;
        double? prediction = null, label = null;
        Dictionary<string, JsonElement>? inputs = null;
        Dictionary<string, double>? values = null;
        foreach (var property in e.EnumerateObject())
        {
            var v = property.Value;
            if (v.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var ok = true;
            if (property.NameEquals("type"u8))
            {
                ok = Text(v, out type);
            }
            else if (property.NameEquals("eventId"u8))
            {
                ok = Text(v, out eventId);
            }
            else if (property.NameEquals("model"u8))
            {
                ok = Text(v, out model);
            }
            else if (property.NameEquals("requestId"u8))
            {
                ok = Text(v, out requestId);
            }
            else if (property.NameEquals("entityId"u8))
            {
                ok = Text(v, out entityId);
            }
            else if (property.NameEquals("version"u8))
            {
                ok = v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out _);
                version = ok ? v.GetInt32() : null;
            }
            else if (property.NameEquals("at"u8))
            {
                ok = v.ValueKind == JsonValueKind.String && v.TryGetDateTimeOffset(out _);
                at = ok ? v.GetDateTimeOffset() : null;
            }
            else if (property.NameEquals("prediction"u8))
            {
                ok = v.ValueKind == JsonValueKind.Number;
                prediction = ok ? v.GetDouble() : null;
            }
            else if (property.NameEquals("label"u8))
            {
                ok = v.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False;
                label = !ok ? null : v.ValueKind == JsonValueKind.Number ? v.GetDouble() : v.ValueKind == JsonValueKind.True ? 1 : 0;
            }
            else if (property.NameEquals("inputs"u8))
            {
                ok = v.ValueKind == JsonValueKind.Object;
                if (ok)
                {
                    inputs = new Dictionary<string, JsonElement>(v.GetPropertyCount(), StringComparer.Ordinal);
                    var names = _inputNames ??= new string[64];
                    var position = 0;
                    foreach (var input in v.EnumerateObject())
                    {
                        // Events of one model name the same inputs in the same order: reuse the name strings of the last
                        // event parsed on this thread (compared in UTF-8, in place) instead of allocating them again.
                        string name;
                        if (position < names.Length && names[position] is { } last && input.NameEquals(last))
                        {
                            name = last;
                        }
                        else
                        {
                            name = input.Name;
                            if (position < names.Length)
                            {
                                names[position] = name;
                            }
                        }

                        position++;
                        inputs[name] = input.Value;
                    }
                }
            }
            else if (property.NameEquals("values"u8))
            {
                ok = v.ValueKind == JsonValueKind.Object && v.EnumerateObject().All(x => x.Value.ValueKind == JsonValueKind.Number);
                values = ok ? v.EnumerateObject().ToDictionary(x => x.Name, x => x.Value.GetDouble(), StringComparer.Ordinal) : null;
            }

            if (!ok)
            {
                return (index, null, $"event {index}: '{property.Name}' has the wrong type");
            }
        }

        return (index, new IngestEvent(type ?? "", eventId, model, version, at, requestId, entityId, inputs, prediction, label, values), null);
    }

    private static bool Text(JsonElement value, out string? text)
    {
        text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return text is not null;
    }

    /// <summary>Validates, stores (durably, idempotently) and profiles a batch; returns once every accepted event is fsynced.</summary>
    public async Task<IngestResult> IngestAsync(IReadOnlyList<(int Index, IngestEvent? Event, string? Error)> parsed, string callerKeyId,
        CancellationToken cancellationToken)
    {
        if (parsed.Count > MaxEvents)
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]> { ["events"] = [$"at most {MaxEvents:N0} events per call (got {parsed.Count:N0})"] });
        }

        var rejected = new List<IngestRejection>();
        var accepted = new List<LoggedEvent>(parsed.Count);
        var rows = new Dictionary<string, (VersionInfo Version, string[] Row, double Score, List<(string Feature, string Kind, string Example)> Violations)>(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        foreach (var (index, e, error) in parsed)
        {
            if (e is null)
            {
                rejected.Add(new IngestRejection(index, "event", error ?? "empty"));
                continue;
            }

            var eventId = string.IsNullOrWhiteSpace(e.EventId) ? TimeOrderedId.NewHex() : e.EventId.Trim();
            if (eventId.Length > 128)
            {
                rejected.Add(new IngestRejection(index, "eventId", "at most 128 characters"));
                continue;
            }

            var at = e.At ?? now;
            if (at > now.AddMinutes(5))
            {
                rejected.Add(new IngestRejection(index, "at", "lies in the future"));
                continue;
            }

            switch (e.Type)
            {
                case "prediction":
                {
                    if (string.IsNullOrWhiteSpace(e.Model) || e.Version is null)
                    {
                        rejected.Add(new IngestRejection(index, e.Model is null ? "model" : "version", "a prediction names its model and version"));
                        continue;
                    }

                    if (e.Prediction is not { } score || !double.IsFinite(score))
                    {
                        rejected.Add(new IngestRejection(index, "prediction", "a finite number: the score (probability of the positive class) or the predicted value"));
                        continue;
                    }

                    var version = _versions.TryGetValue((e.Model, e.Version.Value), out var cached) && Fresh(cached)
                        ? cached
                        : await VersionAsync(e.Model, e.Version.Value, cancellationToken);
                    if (version is null)
                    {
                        rejected.Add(new IngestRejection(index, "model", $"{e.Model} v{e.Version} is not registered"));
                        continue;
                    }

                    var (row, violations) = ToRow(version.Signature.Features, e.Inputs);
                    var stored = await privacy.ApplyAsync(version.Policy, row, version.Signature.Features, cancellationToken);
                    var requestId = e.RequestId ?? eventId;
                    accepted.Add(new LoggedEvent(new PredictionEvent(eventId, requestId, e.Model, e.Version.Value, EventLog.ExternalAlias, at, stored,
                        new Dictionary<string, object?> { ["prediction"] = score }, 0, callerKeyId, e.EntityId)));
                    rows[eventId] = (version, row, score, violations);
                    break;
                }

                case "feedback":
                    if (e.RequestId is null && e.EntityId is null)
                    {
                        rejected.Add(new IngestRejection(index, "requestId", "feedback names the prediction's requestId or the entityId"));
                        continue;
                    }

                    if (e.Label is null && e.Values is not { Count: > 0 })
                    {
                        rejected.Add(new IngestRejection(index, "label", "feedback carries a label or named values"));
                        continue;
                    }

                    if (e.Label is { } label && !double.IsFinite(label) || e.Values?.Values.Any(v => !double.IsFinite(v)) == true)
                    {
                        rejected.Add(new IngestRejection(index, "label", "labels and values are finite numbers"));
                        continue;
                    }

                    accepted.Add(new LoggedEvent(Feedback: new FeedbackEvent(eventId, at, e.Model, e.RequestId, e.EntityId, e.Label, e.Values)));
                    break;
                default:
                    rejected.Add(new IngestRejection(index, "type", "\"prediction\" or \"feedback\""));
                    continue;
            }
        }

        if (accepted.Count == 0 && rejected.Count > 0)
        {
            throw new WardenProblemException(StatusCodes.Status400BadRequest, "No event of the batch could be accepted.",
                string.Join("; ", rejected.Take(5).Select(r => $"#{r.Index} {r.Field}: {r.Message}")) + (rejected.Count > 5 ? $"; and {rejected.Count - 5} more" : ""));
        }

        var fresh = await log.AppendDurableAsync(accepted, cancellationToken);
        var observed = new List<(PredictionEvent, IReadOnlyList<FeatureSpec>, string[], double, IReadOnlyList<(string, string, string)>)>(fresh.Count);
        foreach (var e in fresh)
        {
            if (e.Prediction is { } p && rows.TryGetValue(p.EventId, out var r))
            {
                observed.Add((p, r.Version.Signature.Features, r.Row, r.Score, r.Violations));
            }
        }

        await monitoring.ObserveExternalAsync(observed, cancellationToken);

        return new IngestResult(fresh.Count, accepted.Count - fresh.Count, rejected);
    }

    // Values in model order as invariant text (what served traffic looks like), and what contradicts the signature.
    private static (string[] Row, List<(string Feature, string Kind, string Example)> Violations) ToRow(IReadOnlyList<FeatureSpec> features,
        IReadOnlyDictionary<string, JsonElement>? inputs)
    {
        List<(string, string, string)>? violations = null;
        var row = new string[features.Count];
        var present = 0;
        for (var j = 0; j < features.Count; j++)
        {
            var f = features[j];
            if (inputs is null || !inputs.TryGetValue(f.Name, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            {
                if (inputs is null || !inputs.ContainsKey(f.Name))
                {
                    (violations ??= []).Add((f.Name, "missing-field", "(absent)"));
                }

                row[j] = "";
                continue;
            }

            present++;
            var numeric = f.Kind == FeatureKinds.Numeric;
            switch (value.ValueKind)
            {
                case JsonValueKind.Number:
                    row[j] = value.GetRawText(); // a JSON number is already invariant text
                    if (!numeric && f.Kind == FeatureKinds.Boolean)
                    {
                        (violations ??= []).Add((f.Name, "type", row[j]));
                    }

                    break;
                case JsonValueKind.String:
                    var text = value.GetString()!;
                    if (numeric && !Warden.Inference.InvariantNumber.TryParse(text, out _))
                    {
                        (violations ??= []).Add((f.Name, "type", text));
                        row[j] = "";
                    }
                    else
                    {
                        row[j] = text;
                    }

                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    row[j] = value.GetBoolean() ? "true" : "false";
                    if (numeric)
                    {
                        (violations ??= []).Add((f.Name, "type", row[j]));
                        row[j] = "";
                    }

                    break;
                default:
                    (violations ??= []).Add((f.Name, "type", value.ValueKind == JsonValueKind.Array ? "[…]" : "{…}"));
                    row[j] = "";
                    break;
            }
        }

        // Every input name is a feature unless there are more inputs than features found (null-valued ones included).
        if (inputs is not null && inputs.Count > present)
        {
            foreach (var name in inputs.Keys)
            {
                if (!features.Any(f => f.Name == name))
                {
                    (violations ??= []).Add((name, "unknown-field", name));
                }
            }
        }

        return (row, violations ?? NoViolations);
    }

    private bool Fresh(VersionInfo info) => time.GetUtcNow().ToUnixTimeMilliseconds() - info.ReadAt < CacheTtlMs;

    private async Task<VersionInfo?> VersionAsync(string model, int version, CancellationToken cancellationToken)
    {
        if (_versions.TryGetValue((model, version), out var cached) && Fresh(cached))
        {
            return cached;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        try
        {
            var row = await RegistryService.FindVersionAsync(connection, null, model, version, cancellationToken);
            var signature = row.ParsedSignature;
            var info = new VersionInfo(row, signature, privacy.CompilePolicy(signature, row.Classification, $"model:{model}/events"), time.GetUtcNow().ToUnixTimeMilliseconds());
            _versions[(model, version)] = info;
            return info;
        }
        catch (WardenProblemException e) when (e.Status == StatusCodes.Status404NotFound)
        {
            return null;
        }
    }
}
