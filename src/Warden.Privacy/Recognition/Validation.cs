namespace Warden.Privacy.Recognition;

/// <summary>What a validator concluded about a regex match.</summary>
internal enum ValidationOutcome
{
    /// <summary>The value cannot be this entity (bad checksum, never-issued number): the match is dropped.</summary>
    Rejected = 0,

    /// <summary>Nothing rules the value out, but nothing confirms it: the pattern's score stands.</summary>
    Plausible,

    /// <summary>A checksum or full structural check confirmed the value: the score becomes 1.0.</summary>
    Confirmed,
}

/// <summary>A validator's verdict, its reason (for the explanation) and optionally a narrower span.</summary>
internal readonly record struct Validation(ValidationOutcome Outcome, string Reason, int Start = -1, int End = -1)
{
    public static Validation Reject(string reason) => new(ValidationOutcome.Rejected, reason);

    public static Validation Plausible(string reason) => new(ValidationOutcome.Plausible, reason);

    public static Validation Confirm(string reason) => new(ValidationOutcome.Confirmed, reason);

    /// <summary>The same verdict for a span narrower than the regex match (trailing punctuation trimmed, for example).</summary>
    public Validation At(int start, int end) => this with { Start = start, End = end };

    public bool HasSpan => Start >= 0;
}

/// <summary>Checks a regex match <c>text[start..end]</c>.</summary>
internal delegate Validation Validator(string text, int start, int end);
