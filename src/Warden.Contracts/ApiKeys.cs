namespace Warden.Contracts;

/// <summary>Asks for a new API key.</summary>
/// <param name="Name">A human label, unique among active keys (1–100 characters).</param>
/// <param name="Roles">One or more of <see cref="Contracts.Roles.All"/>.</param>
/// <param name="ExpiresAt">When the key stops working; null for never.</param>
/// <param name="Person">The person the key belongs to (e.g. an e-mail); segregation of duties compares persons, so two keys of one person count as one. Defaults to the key itself.</param>
public sealed record CreateApiKeyRequest(string Name, IReadOnlyList<string> Roles, DateTimeOffset? ExpiresAt = null, string? Person = null);

/// <summary>An API key as stored: never the secret, only its identity and state.</summary>
public sealed record ApiKeyInfo(
    string Id,
    string Name,
    string Prefix,
    IReadOnlyList<string> Roles,
    DateTimeOffset CreatedAt,
    string? CreatedBy,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    string? RevokedBy,
    string Status,
    string Person);

/// <summary>The answer to a key creation: the only time the secret is ever shown.</summary>
public sealed record CreatedApiKey(ApiKeyInfo Key, string Secret);

/// <summary>Why a key is being revoked (recorded in the audit log).</summary>
public sealed record RevokeApiKeyRequest(string? Reason);

/// <summary>The caller's own identity, as the server sees it.</summary>
public sealed record WhoAmI(string KeyId, string Name, IReadOnlyList<string> Roles, DateTimeOffset? ExpiresAt, string Person);

/// <summary>Status words used in <see cref="ApiKeyInfo.Status"/>.</summary>
public static class ApiKeyStatus
{
    /// <summary>Usable.</summary>
    public const string Active = "active";

    /// <summary>Past its expiry time.</summary>
    public const string Expired = "expired";

    /// <summary>Revoked; never usable again.</summary>
    public const string Revoked = "revoked";
}
