using Warden.Contracts;

namespace Warden.Server.Access;

/// <summary>What an endpoint needs. Each endpoint declares exactly one; roles grant sets of them (see <see cref="RolePermissions"/>).</summary>
public enum Permission
{
    /// <summary>Any valid key: read one's own identity and the server's version.</summary>
    Authenticated,

    /// <summary>Create, list and revoke API keys.</summary>
    ManageKeys,

    /// <summary>Read and verify the audit log.</summary>
    ReadAudit,

    /// <summary>Read models, versions, cards, gates, validation runs and history.</summary>
    ReadModels,

    /// <summary>Register models, upload versions, edit cards and classification, submit.</summary>
    WriteModels,

    /// <summary>Run validations and give validation sign-offs.</summary>
    ValidateModels,

    /// <summary>Give approval sign-offs.</summary>
    ApproveModels,

    /// <summary>Reject submitted or validated versions.</summary>
    RejectModels,

    /// <summary>Move stage aliases (promote, roll back).</summary>
    ManageAliases,

    /// <summary>Retire versions.</summary>
    RetireVersions,

    /// <summary>Record documented exceptions to failing compliance gates.</summary>
    GrantGateExceptions,

    /// <summary>Analyze and anonymize text with the PII tools.</summary>
    UsePrivacyTools,

    /// <summary>Reverse encrypted pseudonyms (deanonymize).</summary>
    Deanonymize,

    /// <summary>Erase a data subject (crypto-shredding).</summary>
    ErasePersonalData,

    /// <summary>Call deployed models for predictions.</summary>
    Predict,

    /// <summary>Post prediction and feedback events for monitoring.</summary>
    IngestEvents,

    /// <summary>Create and delete alert rules (whose actions may roll back aliases or shift traffic), acknowledge and resolve alerts.</summary>
    ManageAlerts,

    /// <summary>Create, start, stop, re-phase, evaluate and conclude experiments between approved versions.</summary>
    ManageExperiments,
}

/// <summary>The one table that says which role may do what. docs/security.md is written from it, and the
/// authorization tests iterate over it, so the documentation and the enforcement cannot drift apart.</summary>
public static class RolePermissions
{
    private static readonly Dictionary<string, HashSet<Permission>> Grants = new(StringComparer.Ordinal)
    {
        [Roles.Viewer] = [Permission.Authenticated, Permission.ReadModels, Permission.UsePrivacyTools],
        [Roles.Developer] = [Permission.Authenticated, Permission.ReadModels, Permission.WriteModels, Permission.RetireVersions, Permission.UsePrivacyTools, Permission.Predict,
            Permission.IngestEvents, Permission.ManageExperiments],
        [Roles.Validator] = [Permission.Authenticated, Permission.ReadAudit, Permission.ReadModels, Permission.ValidateModels, Permission.RejectModels, Permission.UsePrivacyTools],
        [Roles.Approver] = [Permission.Authenticated, Permission.ReadAudit, Permission.ReadModels, Permission.ApproveModels, Permission.RejectModels, Permission.UsePrivacyTools],
        [Roles.Operator] = [Permission.Authenticated, Permission.ReadAudit, Permission.ReadModels, Permission.ManageAliases, Permission.RetireVersions, Permission.UsePrivacyTools, Permission.Predict,
            Permission.IngestEvents, Permission.ManageAlerts, Permission.ManageExperiments],
        [Roles.PrivacyOfficer] = [Permission.Authenticated, Permission.ReadAudit, Permission.ReadModels, Permission.UsePrivacyTools, Permission.Deanonymize, Permission.ErasePersonalData],
        [Roles.Admin] = [.. Enum.GetValues<Permission>()],
    };

    /// <summary>True when <paramref name="role"/> grants <paramref name="permission"/>.</summary>
    public static bool Has(string role, Permission permission) =>
        Grants.TryGetValue(role, out var set) && set.Contains(permission);

    /// <summary>True when any of <paramref name="roles"/> grants <paramref name="permission"/>.</summary>
    public static bool AnyGrants(IEnumerable<string> roles, Permission permission) => roles.Any(r => Has(r, permission));

    /// <summary>The roles that grant <paramref name="permission"/>.</summary>
    public static IReadOnlyList<string> RolesWith(Permission permission) => Roles.All.Where(r => Has(r, permission)).ToArray();

    /// <summary>The authorization policy name for a permission.</summary>
    public static string PolicyName(Permission permission) => "permission:" + permission;
}

/// <summary>Endpoint metadata naming the permission an endpoint requires.</summary>
public sealed record RequiresPermission(Permission Permission);

/// <summary>Endpoint metadata naming the audit action of a state-changing endpoint and how to name its target
/// from route values (e.g. <c>key:{id}</c>), so refused calls are audited under the same names as successful ones.</summary>
public sealed record AuditedAction(string Action, string TargetTemplate);

/// <summary>Endpoint metadata for POST endpoints that change nothing (predictions, PII analysis): their refusals are
/// not written to the audit chain, which would otherwise grow with every malformed prediction.</summary>
public sealed record NotAStateChange;

/// <summary>Endpoint conventions for permissions and audit names.</summary>
public static class EndpointConventions
{
    /// <summary>Requires <paramref name="permission"/> (API key authentication; 401 without a key, 403 without the permission).</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, Permission permission)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiresPermission(permission)).RequireAuthorization(RolePermissions.PolicyName(permission));

    /// <summary>Marks a POST endpoint that changes nothing (its refusals are counted in metrics, not audited).</summary>
    public static TBuilder NotAStateChange<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new NotAStateChange());

    /// <summary>Names the audit action and target template of a state-changing endpoint.</summary>
    public static TBuilder Audited<TBuilder>(this TBuilder builder, string action, string targetTemplate)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AuditedAction(action, targetTemplate));
}
