namespace Warden.Contracts;

/// <summary>Text to scan for personal data.</summary>
/// <param name="Text">The text (spans in answers are UTF-16 code unit offsets into it, end exclusive).</param>
/// <param name="Entities">Only these entity types (all when null).</param>
/// <param name="MinScore">Only detections scoring at least this.</param>
public sealed record PiiAnalyzeRequest(string Text, IReadOnlyList<string>? Entities = null, double? MinScore = null);

/// <summary>One detection.</summary>
public sealed record PiiEntity(string EntityType, int Start, int End, double Score, string Recognizer, string Explanation);

/// <summary>Detections, in text order.</summary>
public sealed record PiiAnalyzeResponse(IReadOnlyList<PiiEntity> Entities);

/// <summary>An anonymizer operator: redact, replace, mask (keepLast, maskChar), pseudonymize or encrypt.</summary>
public sealed record PiiOperatorSpec(string Type, int? KeepLast = null, string? MaskChar = null);

/// <summary>Text to anonymize, with the operator per entity type (default: replace with &lt;ENTITY_TYPE&gt;).</summary>
public sealed record PiiAnonymizeRequest(string Text, PiiOperatorSpec? Default = null, IReadOnlyDictionary<string, PiiOperatorSpec>? Operators = null);

/// <summary>One replaced span of the output.</summary>
public sealed record PiiAnonymizedItem(string EntityType, int Start, int End, string Operator);

/// <summary>The anonymized text.</summary>
public sealed record PiiAnonymizeResponse(string Text, IReadOnlyList<PiiAnonymizedItem> Items);

/// <summary>Text whose encrypt-operator tokens should be reversed.</summary>
public sealed record PiiDeanonymizeRequest(string Text);

/// <summary>The text with tokens decrypted.</summary>
public sealed record PiiDeanonymizeResponse(string Text, int TokensDecrypted);
