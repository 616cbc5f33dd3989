namespace Warden.Contracts;

/// <summary>The roles an API key may hold. A key may hold several; see docs/security.md for what each may do.</summary>
public static class Roles
{
    /// <summary>Reads models, deployments and dashboards; changes nothing.</summary>
    public const string Viewer = "viewer";

    /// <summary>Registers models and versions and calls deployed models.</summary>
    public const string Developer = "developer";

    /// <summary>Independent model validation (model risk management's second line).</summary>
    public const string Validator = "validator";

    /// <summary>Signs off versions for production.</summary>
    public const string Approver = "approver";

    /// <summary>Runs the platform: deployments, aliases, alerts, audit review.</summary>
    public const string Operator = "operator";

    /// <summary>Data protection: reverses encrypted pseudonyms, erases data subjects, reads the audit log.</summary>
    public const string PrivacyOfficer = "privacy-officer";

    /// <summary>Everything, including API keys.</summary>
    public const string Admin = "admin";

    /// <summary>Every role, in order of increasing privilege.</summary>
    public static IReadOnlyList<string> All { get; } = [Viewer, Developer, Validator, Approver, Operator, PrivacyOfficer, Admin];

    /// <summary>True when <paramref name="role"/> names a known role (case-sensitive, lowercase).</summary>
    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}
