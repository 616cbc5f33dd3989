using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Warden.Server.Data;
using Warden.Server.Platform;
using Warden.Transparency;
using Warden.Transparency.Checkpoints;
using Warden.Transparency.Merkle;
using Warden.Transparency.Offline;

namespace Warden.Server.Audit;

/// <summary>Audit settings ("Warden:Audit").</summary>
public sealed class AuditOptions
{
    /// <summary>The log's name in checkpoints (C2SP origin), e.g. "audit.warden.bank.example".</summary>
    public string Origin { get; set; } = "warden.local/audit";

    /// <summary>How often a new checkpoint is signed when the log has grown.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>The audit chain as an RFC 6962 Merkle tree (leaf i = the 32-byte hash of record i): signed checkpoints
/// (ECDSA P-256 signed notes, key in the key folder), inclusion and consistency proofs, and bundles that
/// <c>warden audit verify --offline</c> checks without the server.</summary>
public sealed class AuditTransparency(WardenDatabase database, IOptions<AuditOptions> options, IOptions<WardenOptions> warden, TimeProvider time)
    : IDisposable
{
    private readonly Lazy<CheckpointSigningKey> _key = new(() => LoadOrCreateKey(options.Value.Origin,
        Path.Combine(warden.Value.KeyDirectory ?? Path.Combine(warden.Value.DataDirectory, "keys"), "audit-checkpoint.pem")));

    private readonly SemaphoreSlim _signing = new(1, 1);

    /// <summary>The checkpoint public key as PEM (publish it; verifiers pin it).</summary>
    public string PublicKeyPem => _key.Value.PublicKey.ExportPem();

    /// <summary>A signed checkpoint of the log as it is now (signs a new one when the log grew since the last).</summary>
    public async Task<StoredCheckpoint> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        await _signing.WaitAsync(cancellationToken);
        try
        {
            var hashes = await HashesAsync(cancellationToken);
            await using var connection = await database.OpenAsync(cancellationToken);
            var latest = await connection.QuerySingleOrDefaultAsync<StoredCheckpoint>(new CommandDefinition(
                "SELECT tree_size, root, note, at FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1", cancellationToken: cancellationToken));
            if (latest is not null && latest.TreeSize == hashes.Count)
            {
                return latest;
            }

            var frontier = new MerkleFrontier();
            foreach (var hash in hashes)
            {
                frontier.AppendEntry(hash);
            }

            var checkpoint = new Checkpoint(options.Value.Origin, hashes.Count, frontier.RootHash());
            var stored = new StoredCheckpoint
            {
                TreeSize = hashes.Count, Root = checkpoint.RootHash.ToBase64(), Note = _key.Value.Sign(checkpoint), At = time.GetUtcNow().ToUnixTimeMilliseconds(),
            };
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO audit_checkpoints (tree_size, root, note, at) VALUES (@TreeSize, @Root, @Note, @At)", stored, cancellationToken: cancellationToken));
            return stored;
        }
        finally
        {
            _signing.Release();
        }
    }

    /// <summary>All signed checkpoints, oldest first.</summary>
    public async Task<IReadOnlyList<StoredCheckpoint>> CheckpointsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<StoredCheckpoint>(new CommandDefinition(
            "SELECT tree_size, root, note, at FROM audit_checkpoints ORDER BY tree_size", cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>An inclusion proof for record <paramref name="sequence"/> in the tree of <paramref name="treeSize"/> records.</summary>
    public async Task<(Sha256Hash LeafHash, Sha256Hash Root, IReadOnlyList<Sha256Hash> Proof)> InclusionAsync(long sequence, long treeSize, CancellationToken cancellationToken)
    {
        var tree = await TreeAsync(cancellationToken);
        if (treeSize < 1 || treeSize > tree.Size || sequence < 1 || sequence > treeSize)
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]>
            {
                ["sequence"] = [$"need 1 ≤ sequence ≤ treeSize ≤ {tree.Size} (the log's size)"],
            });
        }

        return (tree.LeafHash(sequence - 1), tree.RootHash(treeSize), tree.InclusionProof(sequence - 1, treeSize));
    }

    /// <summary>A consistency proof between the trees of <paramref name="from"/> and <paramref name="to"/> records.</summary>
    public async Task<(Sha256Hash OldRoot, Sha256Hash NewRoot, IReadOnlyList<Sha256Hash> Proof)> ConsistencyAsync(long from, long to, CancellationToken cancellationToken)
    {
        var tree = await TreeAsync(cancellationToken);
        if (from < 1 || from > to || to > tree.Size)
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]> { ["from"] = [$"need 1 ≤ from ≤ to ≤ {tree.Size} (the log's size)"] });
        }

        return (tree.RootHash(from), tree.RootHash(to), tree.ConsistencyProof(from, to));
    }

    /// <summary>Everything an offline verifier needs: the public key, the newest checkpoint (signed now if the log grew),
    /// the earlier checkpoints, and every record with its hash.</summary>
    public async Task<string> BundleAsync(CancellationToken cancellationToken = default)
    {
        var latest = await CheckpointAsync(cancellationToken);
        var earlier = (await CheckpointsAsync(cancellationToken)).Where(c => c.TreeSize < latest.TreeSize).Select(c => c.Note).ToList();
        var entries = new List<BundleEntry>();
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<AuditRow>(new CommandDefinition(
            "SELECT seq, at, actor_key_id, actor_name, actor_roles, action, target, request_id, outcome, details, details_digest, prev_hash, hash FROM audit_log " +
            "WHERE seq <= @size ORDER BY seq", new { size = latest.TreeSize }, cancellationToken: cancellationToken));
        foreach (var row in rows)
        {
            var record = JsonSerializer.SerializeToElement(row, RecordJson);
            entries.Add(new BundleEntry(Sha256Hash.FromHex(row.Hash), row.Seq, record));
        }

        return new TransparencyBundle(PublicKeyPem, latest.Note, entries) { EarlierCheckpoints = earlier }.ToJson(indented: true);
    }

    /// <summary>How the offline verifier recomputes a record's hash: the audit chain's canonical record hash.</summary>
    public static Sha256Hash HashRecord(JsonElement record)
    {
        var row = record.Deserialize<AuditRow>(RecordJson) ?? throw new JsonException("not an audit record");
        return Sha256Hash.FromHex(AuditChain.ComputeHash(row));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _signing.Dispose();
        if (_key.IsValueCreated)
        {
            _key.Value.Dispose();
        }
    }

    private static readonly JsonSerializerOptions RecordJson = new(JsonSerializerDefaults.Web);

    private async Task<List<byte[]>> HashesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<string>(new CommandDefinition("SELECT hash FROM audit_log ORDER BY seq", cancellationToken: cancellationToken)))
            .Select(Convert.FromHexString).ToList();
    }

    private async Task<MerkleTree> TreeAsync(CancellationToken cancellationToken) => MerkleTree.FromEntries(await HashesAsync(cancellationToken));

    private static CheckpointSigningKey LoadOrCreateKey(string origin, string path)
    {
        if (File.Exists(path))
        {
            return CheckpointSigningKey.FromPem(origin, File.ReadAllText(path));
        }

        var key = CheckpointSigningKey.Generate(origin);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, fileOptions);
        using var writer = new StreamWriter(stream);
        writer.Write(key.ExportPrivateKeyPem());
        return key;
    }
}

/// <summary>A signed checkpoint as stored.</summary>
public sealed class StoredCheckpoint
{
    /// <summary>Records covered.</summary>
    public long TreeSize { get; set; }

    /// <summary>Base64 root hash.</summary>
    public string Root { get; set; } = "";

    /// <summary>The signed note.</summary>
    public string Note { get; set; } = "";

    /// <summary>When it was signed (Unix ms).</summary>
    public long At { get; set; }
}

/// <summary>Signs a checkpoint on a timer when the log has grown, so verifiers always have a recent signed root.</summary>
internal sealed partial class CheckpointSigner(AuditTransparency transparency, IOptions<AuditOptions> options, TimeProvider time, ILogger<CheckpointSigner> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckpointInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await transparency.CheckpointAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Signing an audit checkpoint failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
