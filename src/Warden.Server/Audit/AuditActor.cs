using System.Security.Claims;

namespace Warden.Server.Audit;

/// <summary>Who made a change, as recorded in the audit log.</summary>
public sealed record AuditActor(string KeyId, string Name, IReadOnlyList<string> Roles)
{
    /// <summary>The person behind the key (segregation of duties compares persons); the key id when unknown.</summary>
    public string Person { get; init; } = KeyId;

    /// <summary>The server itself (migrations, bootstrap, scheduled jobs).</summary>
    public static AuditActor System { get; } = new("system", "warden", []);

    /// <summary>A caller that presented no valid key.</summary>
    public static AuditActor Anonymous { get; } = new("anonymous", "anonymous", []);

    // API key principals are cached and shared by every request with the same key (ApiKeyService): so is their actor.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ClaimsPrincipal, AuditActor> Actors = [];

    /// <summary>The actor behind an authenticated principal (see <see cref="Access.ApiKeyClaims"/>); the same instance
    /// for the same principal.</summary>
    public static AuditActor From(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated != true ? Anonymous : Actors.TryGetValue(user, out var actor) ? actor : Actors.GetValue(user, Create);

    private static AuditActor Create(ClaimsPrincipal user)
    {
        var id = user.FindFirstValue(Access.ApiKeyClaims.KeyId);
        if (id is null)
        {
            return Anonymous;
        }

        return new AuditActor(id, user.Identity?.Name ?? id, user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToArray())
        {
            Person = user.FindFirstValue(Access.ApiKeyClaims.Person) ?? id,
        };
    }
}

/// <summary>Per-request audit context: who is calling, which request, and whether a record was already written.</summary>
public sealed class AuditScope
{
    /// <summary>The caller.</summary>
    public AuditActor Actor { get; set; } = AuditActor.Anonymous;

    /// <summary>The request id (X-Request-Id).</summary>
    public string RequestId { get; set; } = "";

    /// <summary>True once a record for this request has been committed.</summary>
    public bool Recorded { get; set; }
}
