using System.Text.Json;
using Warden.Transparency.Checkpoints;
using Warden.Transparency.Merkle;

namespace Warden.Transparency.Offline;

/// <summary>What an offline verification trusts beyond the bundle itself.</summary>
public sealed record OfflineVerifierOptions
{
    /// <summary>The log's public key, obtained out of band. When set, the bundle's key must be this key; when null,
    /// the bundle's own key is used, which only proves the bundle is self-consistent (the report says so).</summary>
    public CheckpointPublicKey? TrustedKey { get; init; }

    /// <summary>The origin the checkpoint must name, when set.</summary>
    public string? ExpectedOrigin { get; init; }

    /// <summary>Signed checkpoints the verifier kept from earlier (for example, from its last verification). Each
    /// must be consistent with the bundle's checkpoint.</summary>
    public IReadOnlyList<string> EarlierCheckpoints { get; init; } = [];

    /// <summary>Recomputes an entry's hash from its full record, for bundles that carry records: the first entry
    /// whose record does not hash to its listed hash is named. For Warden's audit log this is the audit chain's
    /// canonical record hash.</summary>
    public Func<JsonElement, Sha256Hash>? RecordHasher { get; init; }
}

/// <summary>The result of an offline verification.</summary>
/// <param name="IsValid">True when every check passed.</param>
/// <param name="Problem">The first problem, in words (null when valid).</param>
/// <param name="Checkpoint">The bundle's checkpoint once its signature verified.</param>
/// <param name="SuspectEntries">When entries disagree with a signed tree: the 1-based inclusive range that holds the
/// first altered entry (From == To when it is known exactly).</param>
/// <param name="Checks">What was checked and held, in order.</param>
public sealed record OfflineVerificationReport(
    bool IsValid, string? Problem, Checkpoint? Checkpoint, (long From, long To)? SuspectEntries, IReadOnlyList<string> Checks)
{
    /// <summary>"valid" or the problem.</summary>
    public override string ToString() => IsValid ? "valid" : Problem ?? "invalid";
}

/// <summary>Checks a <see cref="TransparencyBundle"/> without the server: the checkpoint's signature, the tree over
/// the entries against the signed root, and consistency with earlier checkpoints — naming the first problem.</summary>
/// <remarks>
/// How the first altered entry is located. A signed root commits to all entries at once, so one checkpoint can only
/// say "these entries are not the signed tree". Narrowing down needs more signed data, and the verifier uses all it
/// has: (1) with full records and a <see cref="OfflineVerifierOptions.RecordHasher"/>, every record is rehashed and
/// the first one that does not match its listed hash is named exactly; (2) every signed checkpoint (the bundle's, the
/// bundle's earlier ones and the caller's) is the root of a prefix, so the tree over the entries is built once
/// (O(n)) and each checkpoint's prefix root is read from it in O(log n): the first entry that differs lies after the
/// largest checkpoint that matches and at or before the smallest that does not. Checkpoints at consecutive sizes name
/// the entry exactly ("entry 17 differs from the signed tree").
/// </remarks>
public static class OfflineVerifier
{
    /// <summary>Parses and verifies a bundle in its JSON form.</summary>
    public static OfflineVerificationReport Verify(string bundleJson, OfflineVerifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bundleJson);
        return TransparencyBundle.TryParse(bundleJson, out var bundle, out var problem)
            ? Verify(bundle, options)
            : new OfflineVerificationReport(false, problem, null, null, []);
    }

    /// <summary>Verifies a bundle; see the type's remarks for how problems are located.</summary>
    public static OfflineVerificationReport Verify(TransparencyBundle bundle, OfflineVerifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        options ??= new OfflineVerifierOptions();
        var checks = new List<string>();
        Checkpoint? verified = null;
        OfflineVerificationReport Fail(string problem, (long, long)? suspect = null) => new(false, problem, verified, suspect, checks);

        // 1. The checkpoint and the key that must have signed it.
        if (!SignedNote.TryParse(bundle.Checkpoint, out var signed, out var noteProblem))
        {
            return Fail($"malformed checkpoint: {noteProblem}");
        }

        var keyName = bundle.KeyName ?? signed.Checkpoint.Origin;
        CheckpointPublicKey bundleKey;
        try
        {
            bundleKey = CheckpointPublicKey.FromPem(keyName, bundle.PublicKeyPem);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return Fail($"the bundle's public key is unusable: {e.Message}");
        }

        var key = bundleKey;
        if (options.TrustedKey is { } trusted)
        {
            if (!trusted.SubjectPublicKeyInfo.SequenceEqual(bundleKey.SubjectPublicKeyInfo))
            {
                return Fail($"wrong key: the bundle's public key (key id {bundleKey.KeyIdHex}) is not the trusted key " +
                            $"{trusted} — the bundle was not produced by the log you trust");
            }

            key = trusted;
            checks.Add($"the bundle's public key is the trusted key {trusted}");
        }
        else
        {
            checks.Add($"no trusted key given: used the bundle's own key {bundleKey}, which proves the bundle is " +
                       "self-consistent, not that it comes from your log — pin the key to prove that");
        }

        var verification = SignedNote.Verify(signed, key, options.ExpectedOrigin);
        if (!verification.IsValid)
        {
            return Fail($"checkpoint rejected: {verification.Problem}");
        }

        var newest = verified = verification.Checkpoint;
        checks.Add($"checkpoint signature by {key} verified: {newest.Origin}, {newest.TreeSize} entries, root {newest.RootHash.ToHex()}");

        // 2. Earlier checkpoints: each must verify, and none may be larger than the newest or disagree at equal size.
        var earlier = new List<(Checkpoint Checkpoint, string Source)>();
        var sources = bundle.EarlierCheckpoints.Select((n, i) => (Note: n, Source: $"the bundle's earlier checkpoint #{i + 1}"))
            .Concat(options.EarlierCheckpoints.Select((n, i) => (Note: n, Source: $"your earlier checkpoint #{i + 1}")));
        foreach (var (note, source) in sources)
        {
            var result = SignedNote.Verify(note, key, newest.Origin);
            if (!result.IsValid)
            {
                return Fail($"{source} is rejected: {result.Problem}");
            }

            var old = result.Checkpoint;
            if (old.TreeSize > newest.TreeSize)
            {
                return Fail($"the bundle is behind: {source} already has {old.TreeSize} entries, the bundle's checkpoint only " +
                            $"{newest.TreeSize} — an older export, or a log rolled back (signed checkpoints never go backwards)");
            }

            if (old.TreeSize == newest.TreeSize && old.RootHash != newest.RootHash)
            {
                return Fail($"the log forked: {source} and the bundle's checkpoint both have {old.TreeSize} entries but different roots " +
                            $"({old.RootHash.ToHex()} and {newest.RootHash.ToHex()})");
            }

            if (old.TreeSize == newest.TreeSize)
            {
                checks.Add($"{source} is the bundle's checkpoint itself");
                continue;
            }

            earlier.Add((old, source));
        }

        // 3. The entries themselves: numbering, and each record against its hash when records are present.
        var entries = bundle.Entries;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Seq is { } seq && seq != i + 1)
            {
                return Fail($"entry {i + 1} is numbered {seq}: entries must be numbered 1..N in order " +
                            $"({(seq > i + 1 ? $"entry {i + 1} is missing" : "an entry is duplicated or out of order")})",
                    (i + 1, i + 1));
            }

            if (options.RecordHasher is { } hasher && entry.Record is { } record)
            {
                Sha256Hash computed;
                try
                {
                    computed = hasher(record);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    return Fail($"entry {i + 1}'s record cannot be hashed: {e.Message}", (i + 1, i + 1));
                }

                if (computed != entry.Hash)
                {
                    return Fail($"entry {i + 1}'s record does not match its hash: the record hashes to {computed.ToHex()}, " +
                                $"the bundle lists {entry.Hash.ToHex()} (the record was altered)", (i + 1, i + 1));
                }
            }
        }

        if (options.RecordHasher is not null && entries.Any(e => e.Record is not null))
        {
            checks.Add($"every record hashes to its listed hash ({entries.Count(e => e.Record is not null)} records)");
        }

        // 4. Sizes.
        if (entries.Count < newest.TreeSize)
        {
            return Fail($"tree truncated: checkpoint says {newest.TreeSize} entries, bundle has {entries.Count}",
                (entries.Count + 1, newest.TreeSize));
        }

        if (entries.Count > newest.TreeSize)
        {
            return Fail($"the bundle has {entries.Count} entries but the checkpoint covers {newest.TreeSize}: " +
                        $"entries {newest.TreeSize + 1}..{entries.Count} are not covered by the signature",
                (newest.TreeSize + 1, entries.Count));
        }

        // 5. The tree over the entries against every signed root, smallest first.
        var tree = new MerkleTree();
        foreach (var entry in entries)
        {
            tree.AppendEntry(entry.Hash.Span);
        }

        var signedRoots = earlier.Append((Checkpoint: newest, Source: "the bundle's checkpoint"))
            .OrderBy(c => c.Checkpoint.TreeSize)
            .ToList();
        long matched = 0;
        foreach (var (checkpoint, source) in signedRoots)
        {
            var computed = tree.RootHash(checkpoint.TreeSize);
            if (computed == checkpoint.RootHash)
            {
                matched = checkpoint.TreeSize;
                continue;
            }

            return Mismatch(checkpoint, source, matched, computed);
        }

        checks.Add($"the {entries.Count} entries hash to the signed root {newest.RootHash.ToHex()}");

        // 6. Consistency proofs from each earlier checkpoint to the newest, checked as a client without the entries
        // would check them (RFC 9162 §2.1.4.2).
        foreach (var (old, source) in earlier.OrderBy(e => e.Checkpoint.TreeSize))
        {
            var proof = tree.ConsistencyProof(old.TreeSize, newest.TreeSize);
            var result = MerkleVerifier.VerifyConsistency(old.TreeSize, newest.TreeSize, old.RootHash, newest.RootHash, proof);
            if (!result.IsValid)
            {
                return Fail($"{source} (size {old.TreeSize}) is not consistent with the bundle's checkpoint: {result.Problem}");
            }

            checks.Add($"{source} (size {old.TreeSize}) is consistent with size {newest.TreeSize} ({proof.Count}-hash consistency proof)");
        }

        return new OfflineVerificationReport(true, null, newest, null, checks);

        OfflineVerificationReport Mismatch(Checkpoint checkpoint, string source, long good, Sha256Hash computed)
        {
            var (from, to) = (good + 1, checkpoint.TreeSize);
            var newestMatches = tree.RootHash(newest.TreeSize) == newest.RootHash;
            if (!ReferenceEquals(checkpoint, newest) && newestMatches)
            {
                // The entries are exactly the newest signed tree, yet an older signed tree had other entries.
                var proof = tree.ConsistencyProof(checkpoint.TreeSize, newest.TreeSize);
                var consistency = MerkleVerifier.VerifyConsistency(
                    checkpoint.TreeSize, newest.TreeSize, checkpoint.RootHash, newest.RootHash, proof);
                return Fail($"the log rewrote history: {source} (size {checkpoint.TreeSize}) is not consistent with the bundle's " +
                            $"checkpoint (size {newest.TreeSize}) — {consistency.Problem}; the first changed entry is " +
                            Among(from, to, good), (from, to));
            }

            var which = ReferenceEquals(checkpoint, newest) ? "the signed tree" : $"the signed tree of {source}";
            if (from == to)
            {
                return Fail($"entry {from} differs from {which}: the first {good} entries match the checkpoint of size {good}, " +
                            $"the first {to} do not match the checkpoint of size {to}", (from, to));
            }

            return Fail($"the entries do not match {which}: the checkpoint of size {checkpoint.TreeSize} has root " +
                        $"{checkpoint.RootHash.ToHex()}, the first {checkpoint.TreeSize} entries give {computed.ToHex()}; " +
                        $"the first altered entry is {Among(from, to, good)}", (from, to));
        }
    }

    /// <summary>Verifies an inclusion proof against a signed checkpoint: the checkpoint's signature by
    /// <paramref name="key"/>, then the proof for the entry at <paramref name="leafIndex"/> (0-based: audit seq − 1).</summary>
    public static VerificationResult VerifyInclusion(
        string signedCheckpoint, CheckpointPublicKey key, long leafIndex, Sha256Hash entry, IReadOnlyList<Sha256Hash> proof)
    {
        var checkpoint = SignedNote.Verify(signedCheckpoint, key);
        if (!checkpoint.IsValid)
        {
            return VerificationResult.Invalid($"checkpoint rejected: {checkpoint.Problem}");
        }

        var result = MerkleVerifier.VerifyInclusion(
            leafIndex, checkpoint.Checkpoint.TreeSize, Rfc6962.HashLeaf(entry.Span), proof, checkpoint.Checkpoint.RootHash);
        return result.IsValid ? result : VerificationResult.Invalid($"entry {leafIndex + 1} is not in the signed tree: {result.Problem}");
    }

    /// <summary>Verifies that a newer signed checkpoint extends an older one, given the consistency proof — what a
    /// client that keeps only checkpoints (no entries) checks on every update.</summary>
    public static VerificationResult VerifyConsistency(
        string olderCheckpoint, string newerCheckpoint, CheckpointPublicKey key, IReadOnlyList<Sha256Hash> proof)
    {
        var older = SignedNote.Verify(olderCheckpoint, key);
        if (!older.IsValid)
        {
            return VerificationResult.Invalid($"older checkpoint rejected: {older.Problem}");
        }

        var newer = SignedNote.Verify(newerCheckpoint, key, older.Checkpoint.Origin);
        if (!newer.IsValid)
        {
            return VerificationResult.Invalid($"newer checkpoint rejected: {newer.Problem}");
        }

        var result = MerkleVerifier.VerifyConsistency(
            older.Checkpoint.TreeSize, newer.Checkpoint.TreeSize, older.Checkpoint.RootHash, newer.Checkpoint.RootHash, proof);
        return result.IsValid
            ? result
            : VerificationResult.Invalid(
                $"the checkpoint of size {newer.Checkpoint.TreeSize} does not extend the one of size {older.Checkpoint.TreeSize}: {result.Problem}");
    }

    private static string Among(long from, long to, long good) =>
        from == to
            ? $"entry {from}"
            : $"among entries {from}..{to}" + (good > 0
                ? $" (the first {good} entries match the checkpoint of size {good})"
                : " (keep earlier checkpoints or export full records to narrow it down)");
}
