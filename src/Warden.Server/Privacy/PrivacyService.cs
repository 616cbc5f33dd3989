using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Warden.Contracts;
using Warden.Privacy;
using Warden.Server.Security;

namespace Warden.Server.Privacy;

/// <summary>Privacy settings ("Warden:Privacy").</summary>
public sealed class PrivacySettings
{
    /// <summary>Lowest score a detection needs.</summary>
    public double MinScore { get; set; } = 0.4;

    /// <summary>Entity types to detect (all when empty).</summary>
    public List<string> Entities { get; set; } = [];

    /// <summary>Extra first names for the person recognizer.</summary>
    public List<string> FirstNames { get; set; } = [];

    /// <summary>Extra last names for the person recognizer.</summary>
    public List<string> LastNames { get; set; } = [];

    /// <summary>Organisation-specific recognizers (regex, optional checksum, context words).</summary>
    public List<CustomRecognizerDefinition> CustomRecognizers { get; set; } = [];

    /// <summary>Classification of a feature a model does not classify: public, personal or sensitive (default personal:
    /// everything Warden keeps from requests is personal data until proven otherwise).</summary>
    public string DefaultClassification { get; set; } = "personal";
}

/// <summary>The server side of Warden.Privacy: one shared analyzer, anonymizers with managed keys (pseudonym HMAC key and
/// field-encryption key, both data keys under the KEK), masking of JSON documents and model payloads, and detection counts.</summary>
public sealed class PrivacyService
{
    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly PiiAnalyzer _analyzer;
    private AnonymizerOperator? _pseudonym; // the pseudonym key never changes, so one operator serves every payload
    private readonly DataKeyStore _keys;
    private readonly PrivacySettings _settings;
    private readonly ConcurrentDictionary<(string Source, string Entity), long> _detections = new();

    /// <summary>Builds the analyzer from configuration; a bad custom recognizer stops the start with its reason.</summary>
    public PrivacyService(IOptions<PrivacySettings> settings, DataKeyStore keys)
    {
        _settings = settings.Value;
        _keys = keys;
        var options = new PiiAnalyzerOptions
        {
            MinScore = _settings.MinScore,
            Entities = _settings.Entities.Count == 0 ? null : _settings.Entities,
            FirstNames = _settings.FirstNames.Count == 0 ? null : PersonNames.DefaultFirstNames.Concat(_settings.FirstNames).ToList(),
            LastNames = _settings.LastNames.Count == 0 ? null : PersonNames.DefaultLastNames.Concat(_settings.LastNames).ToList(),
            CustomRecognizers = _settings.CustomRecognizers,
        };
        _analyzer = new PiiAnalyzer(options);
    }

    /// <summary>The analyzer (thread-safe).</summary>
    public PiiAnalyzer Analyzer => _analyzer;

    /// <summary>The organisation's default classification for unclassified features.</summary>
    public string DefaultClassification => _settings.DefaultClassification;

    /// <summary>Detections so far, by where they were found and entity type.</summary>
    public IReadOnlyDictionary<(string Source, string Entity), long> Detections => _detections;

    /// <summary>Finds PII in <paramref name="text"/>.</summary>
    public IReadOnlyList<PiiMatch> Analyze(string text, string source = "api")
    {
        var matches = _analyzer.Analyze(text);
        foreach (var m in matches)
        {
            _detections.AddOrUpdate((source, m.EntityType), 1, (_, n) => n + 1);
        }

        return matches;
    }

    /// <summary>An operator by name, with managed keys for pseudonyms and encryption.</summary>
    public async Task<AnonymizerOperator> OperatorAsync(string name, int keepLast = 4, char maskChar = '*', CancellationToken cancellationToken = default) => name switch
    {
        "redact" => AnonymizerOperator.Redact,
        "replace" => AnonymizerOperator.ReplaceWithEntityType,
        "mask" => AnonymizerOperator.Mask(keepLast, maskChar),
        "pseudonymize" => AnonymizerOperator.Pseudonymize((await _keys.GetAsync("pii:pseudonym", "pii", cancellationToken))!),
        "encrypt" => AnonymizerOperator.Encrypt((await _keys.GetAsync("pii:encrypt", "pii", cancellationToken))!),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "use redact, replace, mask, pseudonymize or encrypt"),
    };

    /// <summary>Reverses encrypt-operator tokens in <paramref name="text"/>; throws <see cref="PiiTokenException"/> for a tampered token.</summary>
    public async Task<string> DeanonymizeAsync(string text, CancellationToken cancellationToken = default) =>
        new PiiCipher((await _keys.GetAsync("pii:encrypt", "pii", cancellationToken))!).DecryptAll(text);

    /// <summary>Masks every string value in a JSON document (replacing detections with &lt;ENTITY_TYPE&gt;); used for audit details.</summary>
    public string MaskJson(string json, string source)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return MaskText(json, source);
        }

        if (node is null)
        {
            return json;
        }

        var changed = MaskNode(node, source);
        return changed ? node.ToJsonString(RelaxedJson) : json;
    }

    /// <summary>Replaces detections in free text with &lt;ENTITY_TYPE&gt;.</summary>
    public string MaskText(string text, string source)
    {
        var matches = Analyze(text, source);
        return matches.Count == 0 ? text : new PiiAnonymizer().Anonymize(text, matches).Text;
    }

    /// <summary>A model version's field policy, resolved once per loaded version: for each feature in model order, whether
    /// its value is kept, scanned (free text) or replaced by a keyed pseudonym.</summary>
    public sealed record FieldPolicy(IReadOnlyList<string> Features, IReadOnlyList<FieldAction> Actions, string Source)
    {
        /// <summary>The entity type each pseudonym names (the feature name in upper case), resolved once.</summary>
        public IReadOnlyList<string> EntityTypes { get; } = Features.Select(f => f.ToUpperInvariant()).ToArray();

        /// <summary>Where scanned fields' detections are counted ("{Source}/{feature}"), resolved once.</summary>
        public IReadOnlyList<string> ScanSources { get; } = Features.Select(f => $"{Source}/{f}").ToArray();
    }

    /// <summary>What happens to one feature's value before it is stored.</summary>
    public enum FieldAction
    {
        /// <summary>Stored as is (public, not text).</summary>
        Keep,

        /// <summary>Free text: scanned, detections masked.</summary>
        Scan,

        /// <summary>Personal or sensitive: replaced by a keyed pseudonym.</summary>
        Pseudonymize,
    }

    /// <summary>Resolves the field policy of a signature and classification (organisation default for unclassified features).</summary>
    public FieldPolicy CompilePolicy(ModelSignature signature, IReadOnlyList<FeatureClassification> classification, string source)
    {
        var classes = classification.ToDictionary(c => c.Feature, c => c.Classification, StringComparer.Ordinal);
        var actions = signature.Features.Select(f => classes.GetValueOrDefault(f.Name, _settings.DefaultClassification) switch
        {
            "personal" or "sensitive" => FieldAction.Pseudonymize,
            _ when f.Kind is FeatureKinds.Text or FeatureKinds.Categorical => FieldAction.Scan,
            _ => FieldAction.Keep,
        }).ToList();
        return new FieldPolicy(signature.Features.Select(f => f.Name).ToList(), actions, source);
    }

    /// <summary>Applies a compiled policy to one row of feature values (strings in model order; numbers as invariant text).</summary>
    public async ValueTask<StoredFieldDictionary> ApplyAsync(FieldPolicy policy, IReadOnlyList<string> row, IReadOnlyList<FeatureSpec> features,
        CancellationToken cancellationToken = default)
    {
        var pseudonym = _pseudonym ??= await OperatorAsync("pseudonymize", cancellationToken: cancellationToken);
        var values = new object?[row.Count];
        for (var i = 0; i < row.Count; i++)
        {
            values[i] = policy.Actions[i] switch
            {
                FieldAction.Pseudonymize => pseudonym.Apply(policy.EntityTypes[i], row[i]),
                FieldAction.Scan => MaskText(row[i], policy.ScanSources[i]),
                _ => features[i].Kind == FeatureKinds.Numeric && Warden.Inference.InvariantNumber.TryParse(row[i], out var d)
                    ? d
                    : row[i],
            };
        }

        return new StoredFieldDictionary(policy.Features, values);
    }

    /// <summary>Applies a model's field policy to a payload: public features are kept, free text is scanned and masked, and
    /// personal or sensitive values are replaced by stable keyed pseudonyms (never stored raw), so records still join.</summary>
    public async Task<Dictionary<string, object?>> ApplyFieldPolicyAsync(IReadOnlyDictionary<string, object?> payload, ModelSignature signature,
        IReadOnlyList<FeatureClassification> classification, string source = "payload", CancellationToken cancellationToken = default)
    {
        var classes = classification.ToDictionary(c => c.Feature, c => c.Classification, StringComparer.Ordinal);
        var kinds = signature.Features.ToDictionary(f => f.Name, f => f.Kind, StringComparer.Ordinal);
        var pseudonym = _pseudonym ??= await OperatorAsync("pseudonymize", cancellationToken: cancellationToken);
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (field, value) in payload)
        {
            var cls = classes.GetValueOrDefault(field, kinds.ContainsKey(field) ? _settings.DefaultClassification : "personal");
            result[field] = value switch
            {
                null => null,
                _ when cls is "personal" or "sensitive" => pseudonym.Apply(field.ToUpperInvariant(), Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)),
                string text => MaskText(text, $"{source}/{field}"),
                _ => value,
            };
        }

        return result;
    }

    private bool MaskNode(JsonNode node, string source)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    if (child is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        var masked = MaskText(s, source);
                        if (!ReferenceEquals(masked, s) && masked != s)
                        {
                            obj[key] = masked;
                            changed = true;
                        }
                    }
                    else if (child is not null)
                    {
                        changed |= MaskNode(child, source);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        var masked = MaskText(s, source);
                        if (masked != s)
                        {
                            array[i] = masked;
                            changed = true;
                        }
                    }
                    else if (array[i] is { } child)
                    {
                        changed |= MaskNode(child, source);
                    }
                }

                break;
        }

        return changed;
    }
}
