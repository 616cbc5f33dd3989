using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Warden.Transparency.Checkpoints;
using Warden.Transparency.Merkle;
using Warden.Transparency.Offline;

namespace Warden.Transparency.Tests;

/// <summary>Offline verification of exported bundles: what passes, and the exact words for each kind of problem.</summary>
public sealed class OfflineVerifierTests : IDisposable
{
    private const string Origin = "warden.example/audit";
    private readonly CheckpointSigningKey _key = CheckpointSigningKey.Generate(Origin);

    public void Dispose() => _key.Dispose();

    /// <summary>Audit-record-like entries: the hash of a small JSON record, as the audit chain would have it.</summary>
    private static Sha256Hash[] Entries(int count, int salt = 0) =>
        Enumerable.Range(1, count).Select(i => Sha256Hash.Compute(Encoding.UTF8.GetBytes($"{{\"seq\":{i},\"salt\":{salt}}}"))).ToArray();

    private string SignedCheckpoint(IReadOnlyList<Sha256Hash> entries, int size)
    {
        var root = MerkleTree.FromLeafHashes(entries.Take(size).Select(e => Rfc6962.HashLeaf(e.Span))).RootHash();
        return _key.Sign(new Checkpoint(Origin, size, root));
    }

    private TransparencyBundle Bundle(IReadOnlyList<Sha256Hash> entries, int? signedSize = null, params int[] earlierSizes) =>
        TransparencyBundle.Create(_key.PublicKey.ExportPem(), SignedCheckpoint(entries, signedSize ?? entries.Count), entries) with
        {
            EarlierCheckpoints = earlierSizes.Select(s => SignedCheckpoint(entries, s)).ToArray(),
        };

    private OfflineVerifierOptions Pinned => new() { TrustedKey = _key.PublicKey };

    [Fact]
    public void A_faithful_bundle_verifies_and_round_trips_through_json()
    {
        var entries = Entries(120);
        var bundle = Bundle(entries, 120, 50, 100);
        var json = bundle.ToJson(indented: true);
        using (var document = JsonDocument.Parse(json))
        {
            Assert.Equal(TransparencyBundle.FormatName, document.RootElement.GetProperty("format").GetString());
            Assert.Equal(120, document.RootElement.GetProperty("entries").GetArrayLength());
        }

        var report = OfflineVerifier.Verify(json, Pinned);
        Assert.True(report.IsValid, report.Problem);
        Assert.Equal(120, report.Checkpoint!.TreeSize);
        Assert.Null(report.SuspectEntries);
        Assert.Contains(report.Checks, c => c.Contains("consistent with size 120", StringComparison.Ordinal));
        Assert.Contains(report.Checks, c => c.Contains("the 120 entries hash to the signed root", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_a_pinned_key_the_report_says_only_self_consistency_was_shown()
    {
        var report = OfflineVerifier.Verify(Bundle(Entries(10)));
        Assert.True(report.IsValid, report.Problem);
        Assert.Contains(report.Checks, c => c.Contains("not that it comes from your log", StringComparison.Ordinal));
    }

    [Fact]
    public void Truncated_bundle_is_named()
    {
        var entries = Entries(120);
        var bundle = Bundle(entries) with { Entries = Bundle(entries).Entries.Take(110).ToArray() };
        var report = OfflineVerifier.Verify(bundle, Pinned);
        Assert.False(report.IsValid);
        Assert.Equal("tree truncated: checkpoint says 120 entries, bundle has 110", report.Problem);
        Assert.Equal((111L, 120L), report.SuspectEntries);
    }

    [Fact]
    public void Entries_beyond_the_signed_size_are_named()
    {
        var report = OfflineVerifier.Verify(Bundle(Entries(130), signedSize: 120), Pinned);
        Assert.False(report.IsValid);
        Assert.Equal("the bundle has 130 entries but the checkpoint covers 120: entries 121..130 are not covered by the signature", report.Problem);
    }

    [Fact]
    public void Altered_entry_is_named_exactly_when_checkpoints_bracket_it()
    {
        var entries = Entries(120);
        var bundle = Bundle(entries, 120, 16, 17, 100);
        var altered = bundle.Entries.ToArray();
        altered[16] = new BundleEntry(Sha256Hash.Compute("forged"u8)); // entry 17 (1-based)
        var report = OfflineVerifier.Verify(bundle with { Entries = altered }, Pinned);
        Assert.False(report.IsValid);
        Assert.StartsWith("entry 17 differs from the signed tree", report.Problem, StringComparison.Ordinal);
        Assert.Equal((17L, 17L), report.SuspectEntries);
    }

    [Fact]
    public void Altered_entry_is_bracketed_between_the_nearest_checkpoints()
    {
        var entries = Entries(120);
        var bundle = Bundle(entries, 120, 10, 50, 100);
        var altered = bundle.Entries.ToArray();
        altered[60] = new BundleEntry(Sha256Hash.Compute("forged"u8)); // entry 61
        var report = OfflineVerifier.Verify(bundle with { Entries = altered }, Pinned);
        Assert.False(report.IsValid);
        Assert.Contains("the first altered entry is among entries 51..100 (the first 50 entries match the checkpoint of size 50)",
            report.Problem, StringComparison.Ordinal);
        Assert.Equal((51L, 100L), report.SuspectEntries);
    }

    [Fact]
    public void With_one_checkpoint_an_altered_entry_can_only_be_placed_in_the_whole_range()
    {
        var bundle = Bundle(Entries(120));
        var altered = bundle.Entries.ToArray();
        altered[16] = new BundleEntry(Sha256Hash.Compute("forged"u8));
        var report = OfflineVerifier.Verify(bundle with { Entries = altered }, Pinned);
        Assert.False(report.IsValid);
        Assert.StartsWith("the entries do not match the signed tree: the checkpoint of size 120 has root", report.Problem, StringComparison.Ordinal);
        Assert.Contains("among entries 1..120", report.Problem, StringComparison.Ordinal);
        Assert.Equal((1L, 120L), report.SuspectEntries);
    }

    [Fact]
    public void Record_hasher_names_the_first_record_that_does_not_match_its_hash()
    {
        static Sha256Hash HashRecord(JsonElement record) =>
            Sha256Hash.Compute(Encoding.UTF8.GetBytes(record.GetProperty("action").GetString()!));
        var records = Enumerable.Range(1, 40).Select(i =>
        {
            using var document = JsonDocument.Parse($"{{\"action\":\"model.approve {i}\"}}");
            var record = document.RootElement.Clone();
            return new BundleEntry(HashRecord(record), i, record);
        }).ToArray();
        var hashes = records.Select(r => r.Hash).ToArray();
        var bundle = new TransparencyBundle(_key.PublicKey.ExportPem(), SignedCheckpoint(hashes, 40), records);
        var options = Pinned with { RecordHasher = HashRecord };
        Assert.True(OfflineVerifier.Verify(bundle.ToJson(), options).IsValid);

        // Someone edits record 23's content in the export but leaves its hash alone.
        var json = bundle.ToJson().Replace("model.approve 23\"", "model.reject 23\"", StringComparison.Ordinal);
        var report = OfflineVerifier.Verify(json, options);
        Assert.False(report.IsValid);
        Assert.StartsWith("entry 23's record does not match its hash", report.Problem, StringComparison.Ordinal);
        Assert.Equal((23L, 23L), report.SuspectEntries);
    }

    [Fact]
    public void Misnumbered_entries_are_named()
    {
        var hashes = Entries(5);
        var entries = hashes.Select((h, i) => new BundleEntry(h, i == 2 ? 4 : i + 1)).ToArray();
        var bundle = new TransparencyBundle(_key.PublicKey.ExportPem(), SignedCheckpoint(hashes, 5), entries);
        var report = OfflineVerifier.Verify(bundle.ToJson(), Pinned);
        Assert.False(report.IsValid);
        Assert.Equal("entry 3 is numbered 4: entries must be numbered 1..N in order (entry 3 is missing)", report.Problem);
    }

    [Fact]
    public void Rewritten_history_is_caught_by_the_earlier_checkpoint_and_its_consistency_proof()
    {
        var original = Entries(100);
        var earlier = SignedCheckpoint(original, 60);

        // The log later signs a tree in which entry 45 was replaced, and exports it faithfully.
        var rewritten = original.ToArray();
        rewritten[44] = Sha256Hash.Compute("rewritten"u8);
        var bundle = Bundle(rewritten, 100, 40);
        var report = OfflineVerifier.Verify(bundle, Pinned with { EarlierCheckpoints = [earlier] });
        Assert.False(report.IsValid);
        Assert.StartsWith("the log rewrote history: your earlier checkpoint #1 (size 60) is not consistent with the bundle's checkpoint (size 100)",
            report.Problem, StringComparison.Ordinal);
        Assert.Contains("the consistency proof does not reproduce the old root", report.Problem, StringComparison.Ordinal);
        Assert.Contains("among entries 41..60", report.Problem, StringComparison.Ordinal);
        Assert.Equal((41L, 60L), report.SuspectEntries);

        // The same earlier checkpoint against the honest log is consistent.
        Assert.True(OfflineVerifier.Verify(Bundle(original), Pinned with { EarlierCheckpoints = [earlier] }).IsValid);
    }

    [Fact]
    public void Shrunk_or_forked_logs_are_named()
    {
        var entries = Entries(100);
        var larger = SignedCheckpoint(entries, 100);
        var shrunk = OfflineVerifier.Verify(Bundle(entries.Take(90).ToArray()), Pinned with { EarlierCheckpoints = [larger] });
        Assert.False(shrunk.IsValid);
        Assert.StartsWith("the bundle is behind: your earlier checkpoint #1 already has 100 entries, the bundle's checkpoint only 90",
            shrunk.Problem, StringComparison.Ordinal);

        var fork = Entries(100, salt: 1);
        var forked = OfflineVerifier.Verify(Bundle(fork), Pinned with { EarlierCheckpoints = [larger] });
        Assert.False(forked.IsValid);
        Assert.StartsWith("the log forked", forked.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_signature_and_wrong_key_are_named()
    {
        var entries = Entries(20);
        var bundle = Bundle(entries);
        var tampered = bundle with { Checkpoint = bundle.Checkpoint.Replace("\n20\n", "\n19\n", StringComparison.Ordinal) };
        var bad = OfflineVerifier.Verify(tampered, Pinned);
        Assert.False(bad.IsValid);
        Assert.StartsWith("checkpoint rejected: bad signature", bad.Problem, StringComparison.Ordinal);

        // A bundle re-signed by someone else, with their key inside: refused when the real key is pinned...
        using var attacker = CheckpointSigningKey.Generate(Origin);
        var root = MerkleTree.FromLeafHashes(entries.Select(e => Rfc6962.HashLeaf(e.Span))).RootHash();
        var resigned = TransparencyBundle.Create(attacker.PublicKey.ExportPem(), attacker.Sign(new Checkpoint(Origin, 20, root)), entries);
        var wrong = OfflineVerifier.Verify(resigned, Pinned);
        Assert.False(wrong.IsValid);
        Assert.StartsWith($"wrong key: the bundle's public key (key id {attacker.PublicKey.KeyIdHex}) is not the trusted key", wrong.Problem, StringComparison.Ordinal);

        // ...and a bundle whose key does not match its own signature is refused even unpinned.
        var mismatched = resigned with { PublicKeyPem = _key.PublicKey.ExportPem() };
        var mismatch = OfflineVerifier.Verify(mismatched);
        Assert.False(mismatch.IsValid);
        Assert.StartsWith("checkpoint rejected: wrong key", mismatch.Problem, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> MalformedBundles() => new()
    {
        { "{", "the bundle is not valid JSON" },
        { "[]", "the bundle is not a JSON object" },
        { "{\"format\":\"other/v9\"}", "the bundle's \"format\" is \"other/v9\"" },
        { "{\"checkpoint\":\"x\",\"entries\":[]}", "the bundle has no \"publicKey\" string" },
        { "{\"publicKey\":\"x\",\"entries\":[]}", "the bundle has no \"checkpoint\" string" },
        { "{\"publicKey\":\"x\",\"checkpoint\":\"x\"}", "the bundle has no \"entries\" array" },
        { "{\"publicKey\":\"x\",\"checkpoint\":\"x\",\"entries\":[\"00\"]}", "entries[0] (entry 1) is not a hash of 64 hexadecimal digits" },
        { "{\"publicKey\":\"x\",\"checkpoint\":\"x\",\"entries\":[{\"seq\":1}]}", "entries[0] (entry 1) has no \"hash\"" },
        { "{\"publicKey\":\"x\",\"checkpoint\":\"x\",\"entries\":[3]}", "entries[0] (entry 1) is neither a hex hash nor a record object" },
        { "{\"publicKey\":\"x\",\"checkpoint\":\"x\",\"entries\":[]}", "malformed checkpoint" },
    };

    [Theory]
    [MemberData(nameof(MalformedBundles))]
    public void Malformed_bundles_are_named(string json, string expected)
    {
        var report = OfflineVerifier.Verify(json, Pinned);
        Assert.False(report.IsValid);
        Assert.Contains(expected, report.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Unusable_public_key_in_the_bundle_is_named()
    {
        var bundle = Bundle(Entries(3)) with { PublicKeyPem = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----" };
        var report = OfflineVerifier.Verify(bundle, Pinned);
        Assert.False(report.IsValid);
        Assert.StartsWith("the bundle's public key is unusable", report.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Proof_only_clients_verify_inclusion_and_consistency_against_signed_checkpoints()
    {
        var entries = Entries(300);
        var tree = MerkleTree.FromLeafHashes(entries.Select(e => Rfc6962.HashLeaf(e.Span)));
        var older = SignedCheckpoint(entries, 211);
        var newer = SignedCheckpoint(entries, 300);

        Assert.True(OfflineVerifier.VerifyInclusion(newer, _key.PublicKey, 16, entries[16], tree.InclusionProof(16, 300)).IsValid);
        var wrongEntry = OfflineVerifier.VerifyInclusion(newer, _key.PublicKey, 16, entries[17], tree.InclusionProof(16, 300));
        Assert.False(wrongEntry.IsValid);
        Assert.StartsWith("entry 17 is not in the signed tree", wrongEntry.Problem, StringComparison.Ordinal);

        Assert.True(OfflineVerifier.VerifyConsistency(older, newer, _key.PublicKey, tree.ConsistencyProof(211, 300)).IsValid);
        var backwards = OfflineVerifier.VerifyConsistency(newer, older, _key.PublicKey, tree.ConsistencyProof(211, 300));
        Assert.False(backwards.IsValid);
        Assert.Contains("cannot extend", backwards.Problem, StringComparison.Ordinal);

        using var other = CheckpointSigningKey.Generate(Origin);
        Assert.StartsWith("checkpoint rejected", OfflineVerifier.VerifyInclusion(newer, other.PublicKey, 0, entries[0], tree.InclusionProof(0, 300)).Problem,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Bundle_json_preserves_records_and_sequence_numbers()
    {
        using var document = JsonDocument.Parse("{\"action\":\"keys.create\",\"seq\":99,\"hash\":\"ignored\"}");
        var hash = Sha256Hash.Compute(RandomNumberGenerator.GetBytes(8));
        var bundle = new TransparencyBundle("pem", "note", [new BundleEntry(hash, 1, document.RootElement.Clone()), new BundleEntry(hash)])
        {
            KeyName = "k",
            EarlierCheckpoints = ["old"],
        };
        var parsed = TransparencyBundle.Parse(bundle.ToJson());
        Assert.Equal("k", parsed.KeyName);
        Assert.Equal(["old"], parsed.EarlierCheckpoints);
        Assert.Equal(1, parsed.Entries[0].Seq);
        Assert.Equal(hash, parsed.Entries[0].Hash);
        Assert.Equal("keys.create", parsed.Entries[0].Record!.Value.GetProperty("action").GetString());
        Assert.Null(parsed.Entries[1].Seq);
        Assert.Equal(hash, parsed.Entries[1].Hash);
    }
}
