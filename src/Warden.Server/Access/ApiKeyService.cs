using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using Warden.Contracts;
using Warden.Server.Audit;
using Warden.Server.Data;
using Warden.Server.Platform;

namespace Warden.Server.Access;

/// <summary>API keys: creation (secret shown once, stored as SHA-256), revocation, expiry, and the verification
/// used on every request. Verified keys are cached as ready-made principals so authentication on the prediction
/// hot path is one SHA-256 and one dictionary lookup; revocation evicts at once.</summary>
public sealed partial class ApiKeyService(
    WardenDatabase database,
    AuditLog audit,
    TimeProvider time,
    IOptions<WardenOptions> options,
    IMeterFactory meters,
    ILogger<ApiKeyService> logger)
{
    private const string Columns = "id, name, prefix, roles, created_at, created_by, expires_at, revoked_at, revoked_by, person";
    private readonly ConcurrentDictionary<string, CachedKey> _cache = new(StringComparer.Ordinal);
    private readonly Counter<long> _authentications = meters.Create("Warden").CreateCounter<long>(
        "warden.auth.attempts", unit: "{attempt}", description: "API key verifications, by result.");

    /// <summary>The result of verifying a presented key.</summary>
    public readonly record struct Verification(ClaimsPrincipal? Principal, string? Failure);

    /// <summary>Creates a key and returns its secret (the only time it exists outside the caller's hands).</summary>
    public async Task<CreatedApiKey> CreateAsync(CreateApiKeyRequest request, AuditScope scope, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var roles = (request.Roles ?? []).Select(r => r?.Trim().ToLowerInvariant() ?? "").Distinct(StringComparer.Ordinal).ToArray();
        new Validator()
            .Require(!string.IsNullOrWhiteSpace(request.Name) && request.Name.Trim().Length <= 100, "name", "must be 1–100 characters")
            .Require(roles.Length > 0, "roles", $"at least one role is required; known roles: {string.Join(", ", Roles.All)}")
            .Require(roles.All(Roles.IsKnown), "roles",
                $"unknown role(s) {string.Join(", ", roles.Where(r => !Roles.IsKnown(r)).Select(r => $"'{r}'"))}; known roles: {string.Join(", ", Roles.All)}")
            .Require(request.ExpiresAt is null || request.ExpiresAt > now, "expiresAt", "must be in the future")
            .Require(request.Person is null || (request.Person.Trim().Length is > 0 and <= 200), "person", "must be 1–200 characters when given")
            .ThrowIfInvalid();

        var secret = NewSecret();
        var row = new KeyRow
        {
            Id = NewKeyId(),
            Name = request.Name.Trim(),
            Prefix = secret[..(ApiKeyClaims.KeyPrefix.Length + 6)],
            Roles = string.Join(',', roles),
            CreatedAt = now.ToUnixTimeMilliseconds(),
            CreatedBy = scope.Actor.KeyId,
            ExpiresAt = request.ExpiresAt?.ToUnixTimeMilliseconds(),
            Person = request.Person?.Trim(),
        };
        await using var uow = await database.BeginAsync(cancellationToken);
        await InsertAsync(uow, row, HashSecret(secret), cancellationToken);
        await audit.AppendAsync(uow, scope, "keys.create", $"key:{row.Id}",
            new { name = row.Name, roles, expiresAt = request.ExpiresAt, person = row.Person }, cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        LogKeyCreated(logger, row.Id, row.Person ?? row.Id, row.Roles);
        return new CreatedApiKey(ToInfo(row, now), secret);
    }

    /// <summary>Lists keys, newest first; revoked and expired ones too when <paramref name="includeInactive"/>.</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(bool includeInactive, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<KeyRow>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys ORDER BY created_at DESC, id", cancellationToken: cancellationToken));
        return rows.Select(r => ToInfo(r, now)).Where(k => includeInactive || k.Status == ApiKeyStatus.Active).ToList();
    }

    /// <summary>One key by id, or null.</summary>
    public async Task<ApiKeyInfo?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        return row is null ? null : ToInfo(row, time.GetUtcNow());
    }

    /// <summary>Revokes a key; from the moment this returns, the key no longer authenticates on this server.</summary>
    public async Task<ApiKeyInfo> RevokeAsync(string id, string? reason, AuditScope scope, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var uow = await database.BeginAsync(cancellationToken);
        var row = await uow.QuerySingleOrDefaultAsync<KeyRow>($"SELECT {Columns} FROM api_keys WHERE id = @id", new { id }, cancellationToken)
            ?? throw WardenProblemException.NotFound($"API key '{id}'");
        if (row.RevokedAt is not null)
        {
            throw WardenProblemException.Conflict($"API key '{id}' was already revoked at {DateTimeOffset.FromUnixTimeMilliseconds(row.RevokedAt.Value):O}.");
        }

        row.RevokedAt = now.ToUnixTimeMilliseconds();
        row.RevokedBy = scope.Actor.KeyId;
        await uow.ExecuteAsync(
            "UPDATE api_keys SET revoked_at = @RevokedAt, revoked_by = @RevokedBy, revoke_reason = @reason WHERE id = @Id",
            new { row.RevokedAt, row.RevokedBy, reason, row.Id }, cancellationToken);
        await audit.AppendAsync(uow, scope, "keys.revoke", $"key:{id}", new { name = row.Name, reason }, cancellationToken: cancellationToken);
        // Evict before commit returns to the caller, and again after, so no request can re-cache the old state in between.
        Evict(id);
        uow.AfterCommit(() => Evict(id));
        await uow.CommitAsync(cancellationToken);
        return ToInfo(row, now);
    }

    /// <summary>Verifies a presented key: cached principal when fresh, else one indexed lookup by hash.</summary>
    public async ValueTask<Verification> VerifyAsync(string presented, CancellationToken cancellationToken = default)
    {
        if (!presented.StartsWith(ApiKeyClaims.KeyPrefix, StringComparison.Ordinal) || presented.Length > 200)
        {
            _authentications.Add(1, new KeyValuePair<string, object?>("result", "malformed"));
            return new(null, "The API key is malformed (Warden keys start with 'wdn_').");
        }

        var hash = HashSecret(presented);
        var now = time.GetUtcNow();
        if (!_cache.TryGetValue(hash, out var cached) || now - cached.LoadedAt > options.Value.KeyCacheTtl)
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition(
                $"SELECT {Columns} FROM api_keys WHERE secret_hash = @hash", new { hash }, cancellationToken: cancellationToken));
            if (row is null || row.RevokedAt is not null)
            {
                _cache.TryRemove(hash, out _);
                _authentications.Add(1, new KeyValuePair<string, object?>("result", row is null ? "unknown" : "revoked"));
                return new(null, row is null ? "The API key is not known." : "The API key has been revoked.");
            }

            cached = new CachedKey(row.Id, CreatePrincipal(row), row.ExpiresAt is { } e ? DateTimeOffset.FromUnixTimeMilliseconds(e) : null, now);
            _cache[hash] = cached;
        }

        if (cached.ExpiresAt is { } expires && expires <= now)
        {
            _authentications.Add(1, new KeyValuePair<string, object?>("result", "expired"));
            return new(null, $"The API key expired at {expires:O}.");
        }

        _authentications.Add(1, new KeyValuePair<string, object?>("result", "ok"));
        return new(cached.Principal, null);
    }

    /// <summary>On first start (no key at all), creates the bootstrap admin key: the configured one, or a new one
    /// that is returned so the caller can print it once. Returns null when keys already exist.</summary>
    public async Task<string?> EnsureBootstrapKeyAsync(CancellationToken cancellationToken = default)
    {
        var configured = options.Value.BootstrapKey;
        if (!string.IsNullOrEmpty(configured) &&
            (!configured.StartsWith(ApiKeyClaims.KeyPrefix, StringComparison.Ordinal) || configured.Length < ApiKeyClaims.KeyPrefix.Length + 32))
        {
            throw new InvalidOperationException(
                $"WARDEN_BOOTSTRAP_KEY must start with '{ApiKeyClaims.KeyPrefix}' and carry at least 32 random characters after it.");
        }

        await using var uow = await database.BeginAsync(cancellationToken);
        var count = await uow.QuerySingleOrDefaultAsync<long>("SELECT COUNT(*) FROM api_keys", cancellationToken: cancellationToken);
        if (count > 0)
        {
            return null;
        }

        var secret = string.IsNullOrEmpty(configured) ? NewSecret() : configured;
        var row = new KeyRow
        {
            Id = NewKeyId(),
            Name = "bootstrap-admin",
            Prefix = secret[..(ApiKeyClaims.KeyPrefix.Length + 6)],
            Roles = Roles.Admin,
            CreatedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
            CreatedBy = AuditActor.System.KeyId,
        };
        await InsertAsync(uow, row, HashSecret(secret), cancellationToken);
        await audit.AppendAsync(uow, AuditActor.System, "startup", "keys.bootstrap", $"key:{row.Id}",
            new { name = row.Name, roles = new[] { Roles.Admin }, source = string.IsNullOrEmpty(configured) ? "generated" : "WARDEN_BOOTSTRAP_KEY" },
            cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        logger.LogInformation("Created bootstrap admin key {KeyId}", row.Id);
        return string.IsNullOrEmpty(configured) ? secret : null;
    }

    /// <summary>SHA-256 of a key, lowercase hex: what is stored and indexed. Keys carry 256 random bits,
    /// so a fast unsalted hash is safe here (no dictionary to attack), and it keeps verification in microseconds.</summary>
    public static string HashSecret(string secret)
    {
        Span<byte> utf8 = stackalloc byte[256];
        var length = Encoding.UTF8.GetBytes(secret, utf8);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(utf8[..length], hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>A new key: "wdn_" followed by 43 base64url characters (256 random bits).</summary>
    public static string NewSecret()
    {
        Span<byte> random = stackalloc byte[32];
        RandomNumberGenerator.Fill(random);
        return ApiKeyClaims.KeyPrefix + Base64Url(random);
    }

    private void Evict(string keyId)
    {
        foreach (var entry in _cache)
        {
            if (string.Equals(entry.Value.KeyId, keyId, StringComparison.Ordinal))
            {
                _cache.TryRemove(entry.Key, out _);
            }
        }
    }

    private static async Task InsertAsync(UnitOfWork uow, KeyRow row, string hash, CancellationToken cancellationToken)
    {
        try
        {
            await uow.ExecuteAsync(
                "INSERT INTO api_keys (id, name, prefix, secret_hash, roles, created_at, created_by, expires_at, person) " +
                "VALUES (@Id, @Name, @Prefix, @hash, @Roles, @CreatedAt, @CreatedBy, @ExpiresAt, @Person)",
                new { row.Id, row.Name, row.Prefix, hash, row.Roles, row.CreatedAt, row.CreatedBy, row.ExpiresAt, row.Person }, cancellationToken);
        }
        catch (Exception e) when (WardenDatabase.IsUniqueViolation(e))
        {
            throw WardenProblemException.Conflict($"An active API key named '{row.Name}' already exists; revoke it first or choose another name.");
        }
    }

    private static ClaimsPrincipal CreatePrincipal(KeyRow row)
    {
        var claims = new List<Claim> { new(ApiKeyClaims.KeyId, row.Id), new(ClaimTypes.Name, row.Name), new(ApiKeyClaims.Person, row.Person ?? row.Id) };
        claims.AddRange(SplitRoles(row.Roles).Select(r => new Claim(ClaimTypes.Role, r)));
        if (row.ExpiresAt is { } e)
        {
            claims.Add(new Claim(ApiKeyClaims.ExpiresAt, DateTimeOffset.FromUnixTimeMilliseconds(e).ToString("O")));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyClaims.ApiScheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    private static string[] SplitRoles(string roles) => roles.Split(',', StringSplitOptions.RemoveEmptyEntries);

    private static ApiKeyInfo ToInfo(KeyRow row, DateTimeOffset now)
    {
        DateTimeOffset? expires = row.ExpiresAt is { } e ? DateTimeOffset.FromUnixTimeMilliseconds(e) : null;
        DateTimeOffset? revoked = row.RevokedAt is { } r ? DateTimeOffset.FromUnixTimeMilliseconds(r) : null;
        var status = revoked is not null ? ApiKeyStatus.Revoked : expires <= now ? ApiKeyStatus.Expired : ApiKeyStatus.Active;
        return new ApiKeyInfo(row.Id, row.Name, row.Prefix + "…", SplitRoles(row.Roles),
            DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt), row.CreatedBy, expires, revoked, row.RevokedBy, status, row.Person ?? row.Id);
    }

    private static string NewKeyId()
    {
        Span<byte> random = stackalloc byte[9];
        RandomNumberGenerator.Fill(random);
        return "k_" + Base64Url(random).ToLowerInvariant().Replace('-', 'x').Replace('_', 'y');
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [LoggerMessage(Level = LogLevel.Information, Message = "Created API key {KeyId} for {Person} with roles {Roles}")]
    private static partial void LogKeyCreated(ILogger logger, string keyId, [Privacy.PersonalData] string person, string roles);

    private sealed record CachedKey(string KeyId, ClaimsPrincipal Principal, DateTimeOffset? ExpiresAt, DateTimeOffset LoadedAt);

    private sealed class KeyRow
    {
        public string Id { get; set; } = "";

        public string Name { get; set; } = "";

        public string Prefix { get; set; } = "";

        public string Roles { get; set; } = "";

        public long CreatedAt { get; set; }

        public string? CreatedBy { get; set; }

        public long? ExpiresAt { get; set; }

        public long? RevokedAt { get; set; }

        public string? RevokedBy { get; set; }

        public string? Person { get; set; }
    }
}
