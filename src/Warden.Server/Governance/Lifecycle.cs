using Warden.Contracts;

namespace Warden.Server.Governance;

/// <summary>The version lifecycle: draft → submitted → validated → approved | rejected → retired.
/// Sign-offs move versions forward (validation: submitted → validated; approval: validated → approved, or
/// submitted → approved when the tier needs no validator); deployment is holding a stage alias, not a state.</summary>
public static class Lifecycle
{
    private static readonly Dictionary<string, string[]> Next = new(StringComparer.Ordinal)
    {
        [VersionStates.Draft] = [VersionStates.Submitted, VersionStates.Retired],
        [VersionStates.Submitted] = [VersionStates.Validated, VersionStates.Approved, VersionStates.Rejected, VersionStates.Retired],
        [VersionStates.Validated] = [VersionStates.Approved, VersionStates.Rejected, VersionStates.Retired],
        [VersionStates.Approved] = [VersionStates.Retired],
        [VersionStates.Rejected] = [VersionStates.Retired],
        [VersionStates.Retired] = [],
    };

    /// <summary>States reachable from <paramref name="state"/>.</summary>
    public static IReadOnlyList<string> AllowedFrom(string state) => Next.TryGetValue(state, out var next) ? next : [];

    /// <summary>True when <paramref name="from"/> → <paramref name="to"/> is a legal move.</summary>
    public static bool IsAllowed(string from, string to) => AllowedFrom(from).Contains(to, StringComparer.Ordinal);

    /// <summary>The actions (API verbs) that make sense in <paramref name="state"/>, for people and tools.</summary>
    public static IReadOnlyList<string> ActionsFor(string state, TierPolicy policy) => state switch
    {
        VersionStates.Draft => ["edit-card", "classify", "submit", "retire"],
        VersionStates.Submitted => policy.Validators > 0 ? ["validate", "reject", "retire"] : ["approve", "reject", "retire"],
        VersionStates.Validated => ["approve", "reject", "retire"],
        VersionStates.Approved => ["promote", "retire"],
        VersionStates.Rejected => ["retire"],
        _ => [],
    };
}
