using System.Text.RegularExpressions;

namespace Warden.Privacy.Recognition;

/// <summary>Builds a <see cref="PatternRecognizer"/> from a <see cref="CustomRecognizerDefinition"/>.</summary>
internal static class CustomRecognizer
{
    /// <summary>Upper bound on a configured pattern, so one entry cannot make the engine build a huge automaton.</summary>
    internal const int MaxPatternLength = 2000;

    public static Recognizer Create(CustomRecognizerDefinition definition)
    {
        string name = definition.Name ?? "custom:" + definition.EntityType;
        if (!IsEntityType(definition.EntityType))
        {
            throw new ArgumentException(
                $"Custom recognizer '{name}': entity type '{definition.EntityType}' must be upper-case letters, digits and underscores, starting with a letter.",
                nameof(definition));
        }

        if (string.IsNullOrEmpty(definition.Pattern) || definition.Pattern.Length > MaxPatternLength)
        {
            throw new ArgumentException(
                $"Custom recognizer '{name}': the pattern must be 1 to {MaxPatternLength} characters.", nameof(definition));
        }

        if (!Enum.IsDefined(definition.Checksum))
        {
            throw new ArgumentException(
                $"Custom recognizer '{name}': checksum must be one of none, luhn, mod97, mod11.", nameof(definition));
        }

        if (definition.BaseScore is < 0 or > 1 || double.IsNaN(definition.BaseScore))
        {
            throw new ArgumentException(
                $"Custom recognizer '{name}': base score {definition.BaseScore} is outside 0 to 1.", nameof(definition));
        }

        Regex regex;
        try
        {
            regex = new Regex(definition.Pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new ArgumentException(
                $"Custom recognizer '{name}': the pattern cannot run on the non-backtracking engine ({e.Message}). "
                + "Backreferences, lookarounds, atomic groups and conditionals are not allowed.",
                nameof(definition),
                e);
        }

        var algorithm = definition.Checksum;
        Validator validate = algorithm == ChecksumAlgorithm.None
            ? static (_, _, _) => Validation.Plausible("no checksum configured")
            : (text, start, end) => Checksums.Check(algorithm, text.AsSpan(start, end - start))
                ? Validation.Confirm($"{algorithm} checksum valid")
                : Validation.Reject($"{algorithm} checksum invalid");
        return new PatternRecognizer(
            name,
            definition.EntityType,
            [new(name, regex, definition.BaseScore, validate, definition.RequiresContext)],
            new(definition.ContextWords));
    }

    internal static bool IsEntityType(string value) =>
        value.Length is > 0 and <= 64
        && char.IsAsciiLetterUpper(value[0])
        && !value.AsSpan().ContainsAnyExcept(EntityTypeChars);

    private static readonly System.Buffers.SearchValues<char> EntityTypeChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
}
