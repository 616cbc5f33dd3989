using System.Text;

namespace Warden.Privacy;

/// <summary>One replaced stretch of the anonymized text.</summary>
/// <param name="EntityType">The entity type of the detection that was replaced.</param>
/// <param name="Start">Offset in the anonymized text (UTF-16 code units) where the replacement begins.</param>
/// <param name="End">Exclusive offset in the anonymized text where the replacement ends (equal to Start after a redaction).</param>
/// <param name="Operator">The operator applied, such as "mask".</param>
public sealed record AnonymizedItem(string EntityType, int Start, int End, string Operator);

/// <summary>The anonymized text and what was replaced in it.</summary>
/// <param name="Text">The text with every chosen detection replaced.</param>
/// <param name="Items">The replacements in text order, with offsets into <paramref name="Text"/>.</param>
public sealed record AnonymizedText(string Text, IReadOnlyList<AnonymizedItem> Items);

/// <summary>
/// Replaces detected values using an operator per entity type (and a default for the rest). Overlapping detections
/// are first reduced to one per stretch of text by <see cref="OverlapResolver"/>. Pure and thread-safe.
/// </summary>
public sealed class PiiAnonymizer
{
    private readonly AnonymizerOperator _default;
    private readonly Dictionary<string, AnonymizerOperator> _operators;

    /// <summary>Creates an anonymizer.</summary>
    /// <param name="defaultOperator">For entity types without their own operator; <c>&lt;ENTITY_TYPE&gt;</c> when null.</param>
    /// <param name="operators">Operators by entity type.</param>
    public PiiAnonymizer(AnonymizerOperator? defaultOperator = null, IReadOnlyDictionary<string, AnonymizerOperator>? operators = null)
    {
        _default = defaultOperator ?? AnonymizerOperator.ReplaceWithEntityType;
        _operators = operators is null ? [] : new Dictionary<string, AnonymizerOperator>(operators, StringComparer.Ordinal);
    }

    /// <summary>The operator used for <paramref name="entityType"/>.</summary>
    public AnonymizerOperator OperatorFor(string entityType) => _operators.GetValueOrDefault(entityType, _default);

    /// <summary>Anonymizes <paramref name="text"/> given detections in it (typically from <see cref="PiiAnalyzer.Analyze(string)"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A detection lies outside the text.</exception>
    public AnonymizedText Anonymize(string text, IEnumerable<PiiMatch> matches)
    {
        ArgumentNullException.ThrowIfNull(text);
        var chosen = OverlapResolver.Resolve(matches);
        if (chosen.Count == 0)
            return new AnonymizedText(text, []);
        var output = new StringBuilder(text.Length);
        var items = new AnonymizedItem[chosen.Count];
        int position = 0;
        for (int i = 0; i < chosen.Count; i++)
        {
            var match = chosen[i];
            if (match.Start < 0 || match.End > text.Length || match.Start >= match.End)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(matches),
                    $"Detection {match.EntityType} [{match.Start}, {match.End}) lies outside a text of length {text.Length}.");
            }

            output.Append(text, position, match.Start - position);
            int start = output.Length;
            var op = OperatorFor(match.EntityType);
            op.Write(output, match.EntityType, text.AsSpan(match.Start, match.Length));
            items[i] = new AnonymizedItem(match.EntityType, start, output.Length, op.Name);
            position = match.End;
        }

        output.Append(text, position, text.Length - position);
        return new AnonymizedText(output.ToString(), items);
    }
}
