namespace Warden.Privacy;

/// <summary>A checksum a custom recognizer can require of its matches.</summary>
public enum ChecksumAlgorithm
{
    /// <summary>No checksum: matches keep the base score.</summary>
    None = 0,

    /// <summary>Luhn (mod 10) over the digits; spaces and hyphens are ignored, any other character fails.</summary>
    Luhn,

    /// <summary>
    /// ISO 7064 MOD 97-10 over the value as written: letters count A=10 … Z=35, spaces and hyphens are ignored,
    /// and the number must leave remainder 1. (The IBAN recognizer moves the first four characters to the end first;
    /// a custom recognizer does not.)
    /// </summary>
    Mod97,

    /// <summary>
    /// The NHS-style mod 11 over n digits: the first n−1 digits are weighted n, n−1, …, 2; the check digit is
    /// 11 − (sum mod 11), where 11 means 0 and 10 means no valid number.
    /// </summary>
    Mod11,
}

/// <summary>
/// A recognizer defined by configuration: a regular expression (compiled with
/// <see cref="System.Text.RegularExpressions.RegexOptions.NonBacktracking"/>, so it runs in linear time),
/// an optional checksum, context words and a base score.
/// </summary>
public sealed record CustomRecognizerDefinition
{
    /// <summary>The entity type reported, upper case with digits and underscores, such as <c>EMPLOYEE_ID</c>.</summary>
    public required string EntityType { get; init; }

    /// <summary>
    /// A .NET regular expression. Backreferences, lookarounds, atomic groups and conditionals are refused because
    /// the non-backtracking engine cannot run them.
    /// </summary>
    public required string Pattern { get; init; }

    /// <summary>The recognizer's name in results; defaults to <c>custom:</c> followed by the entity type.</summary>
    public string? Name { get; init; }

    /// <summary>A checksum a match must pass (success raises the score to 1.0, failure drops the match).</summary>
    public ChecksumAlgorithm Checksum { get; init; } = ChecksumAlgorithm.None;

    /// <summary>Words or phrases that raise the score when they appear shortly before a match.</summary>
    public IReadOnlyList<string> ContextWords { get; init; } = [];

    /// <summary>The score of a match before validation and context, from 0 to 1 (default 0.5).</summary>
    public double BaseScore { get; init; } = 0.5;

    /// <summary>When set, a match without a context word before it is dropped.</summary>
    public bool RequiresContext { get; init; }
}
