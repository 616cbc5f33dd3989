using System.Text.Json.Nodes;
using Warden.Contracts;
using Warden.Server.Tests.Infrastructure;
using Warden.Transparency;
using Warden.Transparency.Checkpoints;
using Warden.Transparency.Merkle;

namespace Warden.Cli.Tests;

/// <summary>RFC 6962 proofs over the audit log, signed checkpoints, and `warden audit verify --offline` catching removed,
/// altered and rewritten entries without the server.</summary>
public sealed class AuditOfflineTests : IAsyncLifetime
{
    private WardenTestHost _host = null!;
    private string _dir = null!;

    public async Task InitializeAsync()
    {
        _host = await WardenTestHost.StartAsync();
        _dir = Directory.CreateTempSubdirectory("warden-offline-").FullName;
        using var admin = _host.Client();
        for (var i = 0; i < 9; i++)
        {
            await admin.CreateKeyAsync(new CreateApiKeyRequest($"key-{i}", [Roles.Viewer]));
        }
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string[] Remote(params string[] args) => [.. args, "--server", _host.BaseAddress.ToString(), "--api-key", _host.AdminKey];

    [Fact]
    public async Task Checkpoints_are_signed_and_proofs_verify()
    {
        using var admin = _host.Client();
        var first = await admin.GetAuditCheckpointAsync();
        Assert.Equal(10, first.TreeSize);
        var key = CheckpointPublicKey.FromPem("warden.local/audit", first.PublicKey);
        var verified = SignedNote.Verify(first.Note, key);
        Assert.Null(verified.Problem);
        Assert.Equal(first.RootHash, verified.Checkpoint!.RootHash.ToBase64());

        var inclusion = await admin.GetInclusionProofAsync(4, 10);
        Assert.True(MerkleVerifier.VerifyInclusion(3, 10, Sha256Hash.FromBase64(inclusion.LeafHash),
            inclusion.Proof.Select(Sha256Hash.FromBase64).ToList(), Sha256Hash.FromBase64(first.RootHash)).IsValid);
        var record4 = await admin.GetAuditRecordAsync(4);
        Assert.Equal(Rfc6962.HashLeaf(Convert.FromHexString(record4.Hash)).ToBase64(), inclusion.LeafHash);

        await admin.CreateKeyAsync(new CreateApiKeyRequest("later", [Roles.Viewer]));
        var second = await admin.GetAuditCheckpointAsync();
        Assert.Equal(11, second.TreeSize);
        var consistency = await admin.GetConsistencyProofAsync(10, 11);
        Assert.True(MerkleVerifier.VerifyConsistency(10, 11, Sha256Hash.FromBase64(first.RootHash), Sha256Hash.FromBase64(second.RootHash),
            consistency.Proof.Select(Sha256Hash.FromBase64).ToList()).IsValid);
        Assert.Equal(second.Note, (await admin.GetAuditCheckpointAsync()).Note); // unchanged log, same checkpoint
    }

    [Fact]
    public async Task An_exported_bundle_verifies_offline_and_any_removal_or_change_is_named()
    {
        var bundlePath = Path.Combine(_dir, "bundle.json");
        var keyPath = Path.Combine(_dir, "key.pem");
        Assert.Equal(0, (await CliRunner.RunAsync(Remote("audit", "export", "--output", bundlePath))).ExitCode);
        using (var admin = _host.Client())
        {
            await File.WriteAllTextAsync(keyPath, (await admin.GetAuditCheckpointAsync()).PublicKey);
        }

        var ok = await CliRunner.RunAsync("audit", "verify", "--offline", bundlePath, "--public-key", keyPath);
        Assert.True(ok.ExitCode == 0, ok.Output + ok.Error);
        Assert.Contains("Bundle verified offline", ok.Output, StringComparison.Ordinal);

        var original = JsonNode.Parse(await File.ReadAllTextAsync(bundlePath))!;

        var altered = original.DeepClone();
        altered["entries"]![6]!["actorName"] = "mallory";
        var alteredPath = Path.Combine(_dir, "altered.json");
        await File.WriteAllTextAsync(alteredPath, altered.ToJsonString());
        var alteredResult = await CliRunner.RunAsync("audit", "verify", "--offline", alteredPath, "--public-key", keyPath);
        Assert.Equal(WardenCli.ChainBroken, alteredResult.ExitCode);
        Assert.Contains("entry 7", alteredResult.Output, StringComparison.Ordinal);

        var truncated = original.DeepClone();
        truncated["entries"]!.AsArray().RemoveAt(9);
        var truncatedPath = Path.Combine(_dir, "truncated.json");
        await File.WriteAllTextAsync(truncatedPath, truncated.ToJsonString());
        var truncatedResult = await CliRunner.RunAsync("audit", "verify", "--offline", truncatedPath, "--public-key", keyPath);
        Assert.Equal(WardenCli.ChainBroken, truncatedResult.ExitCode);
        Assert.Contains("truncated", truncatedResult.Output, StringComparison.Ordinal);

        using var otherKey = CheckpointSigningKey.Generate("impostor");
        var wrongKeyPath = Path.Combine(_dir, "wrong.pem");
        await File.WriteAllTextAsync(wrongKeyPath, otherKey.PublicKey.ExportPem());
        var wrongKey = await CliRunner.RunAsync("audit", "verify", "--offline", bundlePath, "--public-key", wrongKeyPath);
        Assert.Equal(WardenCli.ChainBroken, wrongKey.ExitCode);
    }

    [Fact]
    public async Task A_history_rewritten_in_the_database_fails_against_a_checkpoint_kept_earlier()
    {
        var keptPath = Path.Combine(_dir, "kept.note");
        Assert.Equal(0, (await CliRunner.RunAsync(Remote("audit", "checkpoint", "--output", keptPath))).ExitCode);

        // An attacker with database access rewrites record 3 and recomputes every later hash so the chain itself verifies.
        await _host.ExecuteSqlAsync("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;");
        await using (var connection = await _host.Database.OpenAsync())
        {
            var rows = (await Dapper.SqlMapper.QueryAsync<Warden.Server.Audit.AuditRow>(connection,
                "SELECT seq, at, actor_key_id, actor_name, actor_roles, action, target, request_id, outcome, details, details_digest, prev_hash, hash FROM audit_log ORDER BY seq")).ToList();
            rows[2].Target = "key:forged";
            for (var i = 2; i < rows.Count; i++)
            {
                rows[i].PrevHash = rows[i - 1].Hash;
                rows[i].Hash = Warden.Server.Audit.AuditChain.ComputeHash(rows[i]);
                await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE audit_log SET target = @Target, prev_hash = @PrevHash, hash = @Hash WHERE seq = @Seq", rows[i]);
            }
        }

        using (var admin = _host.Client())
        {
            Assert.True((await admin.VerifyAuditAsync()).Intact); // the rewritten chain is self-consistent…
        }

        var bundlePath = Path.Combine(_dir, "rewritten.json");
        Assert.Equal(0, (await CliRunner.RunAsync(Remote("audit", "export", "--output", bundlePath))).ExitCode);
        var result = await CliRunner.RunAsync("audit", "verify", "--offline", bundlePath, "--checkpoint", keptPath);
        Assert.Equal(WardenCli.ChainBroken, result.ExitCode); // …but not consistent with what was signed before
        Assert.Contains("do not match the signed tree", result.Output, StringComparison.Ordinal); // the checkpoint signed before the rewrite still binds the log
    }
}
