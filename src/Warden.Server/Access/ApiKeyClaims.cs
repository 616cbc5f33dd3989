namespace Warden.Server.Access;

/// <summary>Claim types and scheme names used by API key authentication.</summary>
public static class ApiKeyClaims
{
    /// <summary>The key id claim.</summary>
    public const string KeyId = "warden:key_id";

    /// <summary>The person the key belongs to (the key id when none was given).</summary>
    public const string Person = "warden:person";

    /// <summary>The key expiry (ISO 8601) claim, when the key expires.</summary>
    public const string ExpiresAt = "warden:expires_at";

    /// <summary>The ticket scheme of bearer API keys (on /api, /v2 and /metrics); API permission policies require it.</summary>
    public const string ApiScheme = "ApiKey";

    /// <summary>The ticket scheme of the dashboard: the same keys, carried in an HTTP-only cookie (every other path).</summary>
    public const string DashboardScheme = "Dashboard";

    /// <summary>The one authentication scheme: reads the header or the cookie by path and issues the ticket under
    /// <see cref="ApiScheme"/> or <see cref="DashboardScheme"/>.</summary>
    public const string SelectorScheme = "Warden";

    /// <summary>The dashboard cookie name.</summary>
    public const string Cookie = "warden_key";

    /// <summary>The printable prefix every Warden key starts with.</summary>
    public const string KeyPrefix = "wdn_";
}
