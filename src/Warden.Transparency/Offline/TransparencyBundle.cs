using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace Warden.Transparency.Offline;

/// <summary>One entry of a bundle: the 32-byte entry (for Warden, the audit record's hash — the Merkle leaf is
/// SHA-256(0x00 ‖ these bytes)), optionally with its sequence number and the full record it stands for.</summary>
/// <param name="Hash">The entry bytes.</param>
/// <param name="Seq">The 1-based sequence number, when the bundle states it.</param>
/// <param name="Record">The full record object, when the bundle carries it.</param>
public sealed record BundleEntry(Sha256Hash Hash, long? Seq = null, JsonElement? Record = null);

/// <summary>Everything needed to check a log offline: the log's public key, a signed checkpoint, the entries 1..N
/// and, optionally, earlier signed checkpoints. The JSON form is documented in docs/transparency.md:
/// <code>
/// { "format": "warden-transparency-bundle/v1", "keyName": "…", "publicKey": "-----BEGIN PUBLIC KEY-----…",
///   "checkpoint": "&lt;signed note&gt;", "earlierCheckpoints": ["&lt;signed note&gt;"],
///   "entries": ["&lt;64 hex digits&gt;", …] }
/// </code>
/// where an entry may also be an object <c>{ "seq": 17, "hash": "…", …record fields… }</c>.</summary>
/// <param name="PublicKeyPem">The log's public key, <c>-----BEGIN PUBLIC KEY-----</c> PEM.</param>
/// <param name="Checkpoint">The newest signed checkpoint (a signed note).</param>
/// <param name="Entries">Entries 1..N in order.</param>
public sealed record TransparencyBundle(string PublicKeyPem, string Checkpoint, IReadOnlyList<BundleEntry> Entries)
{
    /// <summary>The value of the <c>format</c> property.</summary>
    public const string FormatName = "warden-transparency-bundle/v1";

    /// <summary>The key name on the checkpoint's signature line; when null, the checkpoint's origin.</summary>
    public string? KeyName { get; init; }

    /// <summary>Earlier signed checkpoints of the same log (any order). They let a verifier check consistency and
    /// narrow down where an altered entry lies.</summary>
    public IReadOnlyList<string> EarlierCheckpoints { get; init; } = [];

    /// <summary>A bundle of bare entry hashes.</summary>
    public static TransparencyBundle Create(string publicKeyPem, string checkpoint, IEnumerable<Sha256Hash> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return new TransparencyBundle(publicKeyPem, checkpoint, entries.Select(e => new BundleEntry(e)).ToArray());
    }

    /// <summary>The bundle as JSON. Entries with neither a sequence number nor a record are written as bare hex
    /// strings; others as objects (record fields first, then <c>seq</c> and <c>hash</c>).</summary>
    public string ToJson(bool indented = false)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented }))
        {
            writer.WriteStartObject();
            writer.WriteString("format", FormatName);
            if (KeyName is not null)
            {
                writer.WriteString("keyName", KeyName);
            }

            writer.WriteString("publicKey", PublicKeyPem);
            writer.WriteString("checkpoint", Checkpoint);
            if (EarlierCheckpoints.Count > 0)
            {
                writer.WriteStartArray("earlierCheckpoints");
                foreach (var note in EarlierCheckpoints)
                {
                    writer.WriteStringValue(note);
                }

                writer.WriteEndArray();
            }

            writer.WriteStartArray("entries");
            foreach (var entry in Entries)
            {
                if (entry.Seq is null && entry.Record is null)
                {
                    writer.WriteStringValue(entry.Hash.ToHex());
                    continue;
                }

                writer.WriteStartObject();
                if (entry.Record is { ValueKind: JsonValueKind.Object } record)
                {
                    foreach (var property in record.EnumerateObject())
                    {
                        if (property.NameEquals("seq") || property.NameEquals("hash"))
                        {
                            continue;
                        }

                        property.WriteTo(writer);
                    }
                }

                if (entry.Seq is { } seq)
                {
                    writer.WriteNumber("seq", seq);
                }

                writer.WriteString("hash", entry.Hash.ToHex());
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Parses the JSON form.</summary>
    /// <exception cref="FormatException">The first thing wrong, naming the property or entry.</exception>
    public static TransparencyBundle Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return TryParse(json, out var bundle, out var problem) ? bundle : throw new FormatException(problem);
    }

    /// <summary>Parses the JSON form; false with the first problem (naming the property or entry).</summary>
    public static bool TryParse(string json, [NotNullWhen(true)] out TransparencyBundle? bundle, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(json);
        bundle = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            problem = $"the bundle is not valid JSON: {e.Message}";
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "the bundle is not a JSON object";
                return false;
            }

            if (root.TryGetProperty("format", out var format)
                && (format.ValueKind != JsonValueKind.String || !format.ValueEquals(FormatName)))
            {
                problem = $"the bundle's \"format\" is {format.GetRawText()}, expected \"{FormatName}\"";
                return false;
            }

            if (!RequiredString(root, "publicKey", out var publicKey, out problem)
                || !RequiredString(root, "checkpoint", out var checkpoint, out problem)
                || !OptionalString(root, "keyName", out var keyName, out problem))
            {
                return false;
            }

            var earlier = new List<string>();
            if (root.TryGetProperty("earlierCheckpoints", out var earlierElement))
            {
                if (earlierElement.ValueKind != JsonValueKind.Array)
                {
                    problem = "the bundle's \"earlierCheckpoints\" is not an array of signed notes";
                    return false;
                }

                foreach (var note in earlierElement.EnumerateArray())
                {
                    if (note.ValueKind != JsonValueKind.String)
                    {
                        problem = $"earlierCheckpoints[{earlier.Count}] is not a string (a signed note)";
                        return false;
                    }

                    earlier.Add(note.GetString()!);
                }
            }

            if (!root.TryGetProperty("entries", out var entriesElement) || entriesElement.ValueKind != JsonValueKind.Array)
            {
                problem = "the bundle has no \"entries\" array";
                return false;
            }

            // One clone of the array keeps every record alive after the document is disposed.
            var entriesCopy = entriesElement.Clone();
            var entries = new List<BundleEntry>(entriesCopy.GetArrayLength());
            foreach (var element in entriesCopy.EnumerateArray())
            {
                var position = entries.Count + 1;
                if (ParseEntry(element, position, out var entry) is { } entryProblem)
                {
                    problem = entryProblem;
                    return false;
                }

                entries.Add(entry!);
            }

            bundle = new TransparencyBundle(publicKey, checkpoint, entries) { KeyName = keyName, EarlierCheckpoints = earlier };
            problem = null;
            return true;
        }
    }

    private static string? ParseEntry(JsonElement element, int position, out BundleEntry? entry)
    {
        entry = null;
        var where = $"entries[{position - 1}] (entry {position})";
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                if (!Sha256Hash.TryFromHex(element.GetString(), out var hash))
                {
                    return $"{where} is not a hash of 64 hexadecimal digits";
                }

                entry = new BundleEntry(hash);
                return null;
            case JsonValueKind.Object:
                if (!element.TryGetProperty("hash", out var hashElement) || hashElement.ValueKind != JsonValueKind.String
                    || !Sha256Hash.TryFromHex(hashElement.GetString(), out var recordHash))
                {
                    return $"{where} has no \"hash\" of 64 hexadecimal digits";
                }

                long? seq = null;
                if (element.TryGetProperty("seq", out var seqElement))
                {
                    if (seqElement.ValueKind != JsonValueKind.Number || !seqElement.TryGetInt64(out var seqValue))
                    {
                        return $"{where} has a \"seq\" that is not an integer";
                    }

                    seq = seqValue;
                }

                entry = new BundleEntry(recordHash, seq, element);
                return null;
            default:
                return $"{where} is neither a hex hash nor a record object";
        }
    }

    private static bool RequiredString(JsonElement root, string name, out string value, [NotNullWhen(false)] out string? problem)
    {
        value = "";
        if (!root.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.String)
        {
            problem = $"the bundle has no \"{name}\" string";
            return false;
        }

        value = element.GetString()!;
        problem = null;
        return true;
    }

    private static bool OptionalString(JsonElement root, string name, out string? value, [NotNullWhen(false)] out string? problem)
    {
        value = null;
        problem = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            problem = $"the bundle's \"{name}\" is not a string";
            return false;
        }

        value = element.GetString();
        return true;
    }
}
