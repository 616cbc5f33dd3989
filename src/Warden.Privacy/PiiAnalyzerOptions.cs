namespace Warden.Privacy;

/// <summary>Settings for a <see cref="PiiAnalyzer"/>. Every property has a sensible default.</summary>
public sealed record PiiAnalyzerOptions
{
    /// <summary>
    /// Detections scoring below this are not reported (default 0.4, Presidio's floor for a context-supported match).
    /// Weak patterns such as a bare nine-digit number (0.3) therefore need a context word to be reported.
    /// </summary>
    public double MinScore { get; init; } = 0.4;

    /// <summary>How much a context word before a match adds to its score (default 0.35, as Presidio).</summary>
    public double ContextBoost { get; init; } = 0.35;

    /// <summary>The lowest score a match supported by a context word can have (default 0.4, as Presidio).</summary>
    public double MinScoreWithContext { get; init; } = 0.4;

    /// <summary>How many words before a match are searched for context words, on the same line (default 5).</summary>
    public int ContextWindowWords { get; init; } = 5;

    /// <summary>
    /// The entity types to detect; <see langword="null"/> (the default) means every built-in type and every custom one.
    /// </summary>
    public IReadOnlyCollection<string>? Entities { get; init; }

    /// <summary>
    /// Given names for the PERSON recognizer, compared case-insensitively;
    /// <see langword="null"/> means <see cref="PersonNames.DefaultFirstNames"/>.
    /// </summary>
    public IReadOnlyCollection<string>? FirstNames { get; init; }

    /// <summary>
    /// Family names for the PERSON recognizer, compared case-insensitively;
    /// <see langword="null"/> means <see cref="PersonNames.DefaultLastNames"/>.
    /// </summary>
    public IReadOnlyCollection<string>? LastNames { get; init; }

    /// <summary>Additional recognizers defined by configuration.</summary>
    public IReadOnlyList<CustomRecognizerDefinition> CustomRecognizers { get; init; } = [];

    /// <summary>The latest year accepted in a date of birth (default 2099; the library reads no clock).</summary>
    public int MaxBirthYear { get; init; } = 2099;
}
