namespace Warden.Contracts;

/// <summary>One page of a listing.</summary>
/// <param name="Items">The items on this page.</param>
/// <param name="Total">How many items match the query in all.</param>
/// <param name="PageNumber">1-based page number.</param>
/// <param name="PageSize">Items per page.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, long Total, int PageNumber, int PageSize);

/// <summary>Filters for <c>GET /api/v1/audit</c>; every field is optional.</summary>
public sealed record AuditQuery
{
    /// <summary>Only records made by this key id.</summary>
    public string? Actor { get; init; }

    /// <summary>Only records whose action starts with this text (e.g. <c>keys.</c>).</summary>
    public string? Action { get; init; }

    /// <summary>Only records whose target starts with this text.</summary>
    public string? Target { get; init; }

    /// <summary>Only records at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only records before this time.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>1-based page number (default 1).</summary>
    public int Page { get; init; } = 1;

    /// <summary>Records per page, 1–500 (default 50).</summary>
    public int PageSize { get; init; } = 50;
}

/// <summary>What <c>GET /api/v1/server</c> says about the running server.</summary>
/// <param name="Version">Warden's version.</param>
/// <param name="StorageEngine">sqlite or postgresql.</param>
/// <param name="SchemaVersion">The last migration applied.</param>
/// <param name="StartedAt">When this process started.</param>
public sealed record ServerInfo(string Version, string StorageEngine, int SchemaVersion, DateTimeOffset StartedAt);
