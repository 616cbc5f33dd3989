using System.Collections.Concurrent;
using System.Security.Cryptography;
using Dapper;
using Warden.Server.Data;

namespace Warden.Server.Security;

/// <summary>Data keys in the database, each wrapped by a KEK (envelope encryption). Unwrapped keys are cached in memory
/// for a short time so a busy artifact or subject does not pay an unwrap per read; destroying a key evicts it at once.</summary>
public sealed class DataKeyStore(WardenDatabase database, IKeyEncryptionKeys keks, TimeProvider time)
{
    private static readonly TimeSpan CacheTtl = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (byte[] Key, DateTimeOffset LoadedAt)> _cache = new(StringComparer.Ordinal);

    /// <summary>Creates a fresh random 256-bit data key with this id (fails if it exists) and returns it.</summary>
    public async Task<byte[]> CreateAsync(string id, string purpose, CancellationToken cancellationToken = default)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var wrapped = keks.Wrap(key, id);
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO data_keys (id, purpose, kek_version, wrapped, created_at) VALUES (@id, @purpose, @v, @w, @at)",
            new { id, purpose, v = wrapped.KekVersion, w = wrapped.Blob, at = time.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        _cache[id] = (key, time.GetUtcNow());
        return key;
    }

    /// <summary>The data key <paramref name="id"/>, creating it when <paramref name="purpose"/> is given and it does not exist.
    /// Throws <see cref="KeyDestroyedException"/> for a crypto-shredded key.</summary>
    public async Task<byte[]?> GetAsync(string id, string? createWithPurpose = null, CancellationToken cancellationToken = default)
    {
        if (_cache.TryGetValue(id, out var cached) && time.GetUtcNow() - cached.LoadedAt < CacheTtl)
        {
            return cached.Key;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT id, kek_version, wrapped, destroyed_at FROM data_keys WHERE id = @id", new { id }, cancellationToken: cancellationToken));
        if (row is null)
        {
            if (createWithPurpose is null)
            {
                return null;
            }

            try
            {
                return await CreateAsync(id, createWithPurpose, cancellationToken);
            }
            catch (Exception e) when (WardenDatabase.IsUniqueViolation(e))
            {
                return await GetAsync(id, null, cancellationToken); // created concurrently
            }
        }

        if (row.DestroyedAt is not null || row.Wrapped is null)
        {
            throw new KeyDestroyedException(id, DateTimeOffset.FromUnixTimeMilliseconds(row.DestroyedAt ?? 0));
        }

        var key = keks.Unwrap(new WrappedKey((int)row.KekVersion, row.Wrapped), id);
        _cache[id] = (key, time.GetUtcNow());
        return key;
    }

    /// <summary>Destroys a data key for good (crypto-shredding): the wrapped key is deleted, so whatever it encrypted can
    /// never be read again. Returns false when there was no such key.</summary>
    public async Task<bool> DestroyAsync(UnitOfWork uow, string id, CancellationToken cancellationToken = default)
    {
        var changed = await uow.ExecuteAsync("UPDATE data_keys SET wrapped = NULL, destroyed_at = @at WHERE id = @id AND destroyed_at IS NULL",
            new { id, at = time.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken);
        _cache.TryRemove(id, out _);
        uow.AfterCommit(() => _cache.TryRemove(id, out _));
        return changed > 0;
    }

    /// <summary>Rotates the KEK and rewraps every live data key with the new version, in one transaction. The data the
    /// keys protect is untouched; returns (new version, keys rewrapped).</summary>
    public async Task<(int Version, int Rewrapped)> RotateAsync(UnitOfWork uow, CancellationToken cancellationToken = default)
    {
        var version = keks.Rotate();
        var rows = (await uow.QueryAsync<Row>("SELECT id, kek_version, wrapped, destroyed_at FROM data_keys WHERE wrapped IS NOT NULL AND kek_version <> @version",
            new { version }, cancellationToken)).ToList();
        foreach (var row in rows)
        {
            var key = keks.Unwrap(new WrappedKey((int)row.KekVersion, row.Wrapped!), row.Id);
            var wrapped = keks.Wrap(key, row.Id);
            CryptographicOperations.ZeroMemory(key);
            await uow.ExecuteAsync("UPDATE data_keys SET kek_version = @v, wrapped = @w WHERE id = @id",
                new { v = wrapped.KekVersion, w = wrapped.Blob, id = row.Id }, cancellationToken);
        }

        return (version, rows.Count);
    }

    /// <summary>Counts of live and destroyed keys by purpose and KEK version, for the dashboard and status.</summary>
    public async Task<IReadOnlyList<(string Purpose, long KekVersion, long Live, long Destroyed)>> SummaryAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<(string, long, long, long)>(new CommandDefinition(
            "SELECT purpose, kek_version, SUM(CASE WHEN destroyed_at IS NULL THEN 1 ELSE 0 END), SUM(CASE WHEN destroyed_at IS NULL THEN 0 ELSE 1 END) " +
            "FROM data_keys GROUP BY purpose, kek_version ORDER BY purpose, kek_version", cancellationToken: cancellationToken))).ToList();
    }

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public long KekVersion { get; set; }
        public string? Wrapped { get; set; }
        public long? DestroyedAt { get; set; }
    }
}

/// <summary>The data key was destroyed (crypto-shredded); what it protected is gone for good.</summary>
public sealed class KeyDestroyedException(string keyId, DateTimeOffset destroyedAt)
    : Exception($"data key '{keyId}' was destroyed at {destroyedAt:O}; the data it protected cannot be read")
{
    /// <summary>The key.</summary>
    public string KeyId { get; } = keyId;
}
