namespace Warden.Transparency;

/// <summary>The outcome of a check: valid, or the first problem found, in words meant for an operator.</summary>
/// <param name="IsValid">True when everything checked out.</param>
/// <param name="Problem">What was wrong (null when valid).</param>
public sealed record VerificationResult(bool IsValid, string? Problem)
{
    /// <summary>The single "all good" result.</summary>
    public static VerificationResult Valid { get; } = new(true, null);

    /// <summary>A failed check with its reason.</summary>
    public static VerificationResult Invalid(string problem) => new(false, problem);

    /// <summary>"valid" or the problem.</summary>
    public override string ToString() => IsValid ? "valid" : Problem ?? "invalid";
}
