using Warden.Transparency.Merkle;

namespace Warden.Transparency.Tests;

/// <summary>Properties over random trees: the library agrees with the literal RFC 6962 definitions, every generated
/// proof verifies, and every single-bit change to a proof, leaf or root is rejected.</summary>
public sealed class MerklePropertyTests
{
    private const int Seed = 6962;

    /// <summary>Random 32-byte entries (for Warden, audit record hashes).</summary>
    private static byte[][] RandomEntries(Random random, int count) =>
        Enumerable.Range(0, count).Select(_ =>
        {
            var entry = new byte[32];
            random.NextBytes(entry);
            return entry;
        }).ToArray();

    /// <summary>Random sizes up to ~1000, always including the awkward small ones and powers of two ± 1.</summary>
    private static int[] Sizes(Random random) =>
        [.. Enumerable.Range(1, 17), 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513, 1000, 1023, 1024,
         .. Enumerable.Range(0, 12).Select(_ => random.Next(18, 1025))];

    [Fact]
    public void Roots_and_proofs_agree_with_the_literal_rfc_definitions()
    {
        var random = new Random(Seed);
        foreach (var n in new[] { 1, 2, 3, 5, 7, 8, 9, 13, 16, 17, 31, 33, 50 })
        {
            var entries = RandomEntries(random, n);
            var tree = MerkleTree.FromEntries(entries);
            for (var m = 0; m <= n; m++)
            {
                Assert.Equal(ReferenceMerkle.Mth(entries[..m]), tree.RootHash(m).ToArray());
            }

            for (var i = 0; i < n; i++)
            {
                Assert.Equal(ReferenceMerkle.Path(i, entries), tree.InclusionProof(i).Select(h => h.ToArray()));
            }

            for (var m = 0; m <= n; m++)
            {
                Assert.Equal(ReferenceMerkle.Proof(m, entries), tree.ConsistencyProof(m).Select(h => h.ToArray()));
            }
        }
    }

    [Fact]
    public void Frontier_and_tree_roots_agree_at_every_size()
    {
        var random = new Random(Seed + 1);
        var entries = RandomEntries(random, 1100);
        var tree = new MerkleTree();
        var frontier = new MerkleFrontier();
        foreach (var entry in entries)
        {
            tree.AppendEntry(entry);
            frontier.AppendEntry(entry);
            Assert.Equal(tree.RootHash(), frontier.RootHash());
            Assert.Equal(System.Numerics.BitOperations.PopCount((ulong)frontier.Size), frontier.Nodes.Count);
        }

        // Past roots read from the finished tree equal the roots seen while appending.
        var replay = new MerkleFrontier();
        for (var n = 0; n < entries.Length; n++)
        {
            Assert.Equal(replay.RootHash(), tree.RootHash(n));
            replay.AppendEntry(entries[n]);
        }
    }

    [Fact]
    public void Every_inclusion_proof_verifies_and_has_the_predicted_length()
    {
        var random = new Random(Seed + 2);
        foreach (var n in Sizes(random))
        {
            var entries = RandomEntries(random, n);
            var tree = MerkleTree.FromEntries(entries);
            var root = tree.RootHash();
            for (var i = 0; i < n; i++)
            {
                var proof = tree.InclusionProof(i);
                Assert.Equal(MerkleVerifier.InclusionProofLength(i, n), proof.Count);
                var result = MerkleVerifier.VerifyInclusion(i, n, tree.LeafHash(i), proof, root);
                Assert.True(result.IsValid, $"leaf {i} of {n}: {result}");
            }
        }
    }

    [Fact]
    public void Every_consistency_proof_verifies_and_has_the_predicted_length()
    {
        var random = new Random(Seed + 3);
        foreach (var n in Sizes(random))
        {
            var tree = MerkleTree.FromEntries(RandomEntries(random, n));
            var newRoot = tree.RootHash();
            // All old sizes for small trees; a sample (with the edges) for large ones.
            var oldSizes = n <= 130 ? Enumerable.Range(0, n + 1)
                : new[] { 0, 1, 2, n - 1, n }.Concat(Enumerable.Range(0, 60).Select(_ => random.Next(0, n + 1)));
            foreach (var m in oldSizes)
            {
                var proof = tree.ConsistencyProof(m);
                Assert.Equal(MerkleVerifier.ConsistencyProofLength(m, n), proof.Count);
                var result = MerkleVerifier.VerifyConsistency(m, n, tree.RootHash(m), newRoot, proof);
                Assert.True(result.IsValid, $"{m} -> {n}: {result}");
            }
        }
    }

    [Fact]
    public void Any_single_bit_change_in_an_inclusion_proof_leaf_or_root_is_rejected()
    {
        var random = new Random(Seed + 4);
        foreach (var n in Sizes(random).Where(s => s <= 300))
        {
            var tree = MerkleTree.FromEntries(RandomEntries(random, n));
            var root = tree.RootHash();
            // Every bit for small trees; eight random bits per hash for larger ones.
            var exhaustive = n <= 9;
            foreach (var i in exhaustive ? Enumerable.Range(0, n) : Enumerable.Range(0, 6).Select(_ => random.Next(n)))
            {
                var leaf = tree.LeafHash(i);
                var proof = tree.InclusionProof(i).ToArray();
                foreach (var bit in Bits(random, exhaustive))
                {
                    Assert.False(MerkleVerifier.VerifyInclusion(i, n, Flip(leaf, bit), proof, root).IsValid);
                    Assert.False(MerkleVerifier.VerifyInclusion(i, n, leaf, proof, Flip(root, bit)).IsValid);
                    for (var p = 0; p < proof.Length; p++)
                    {
                        var wrong = (Sha256Hash[])proof.Clone();
                        wrong[p] = Flip(proof[p], bit);
                        Assert.False(MerkleVerifier.VerifyInclusion(i, n, leaf, wrong, root).IsValid,
                            $"leaf {i} of {n}: flipping bit {bit} of proof[{p}] still verified");
                    }
                }

                // Index: any other index is rejected (its path or its leaf differs).
                for (var bit = 0; bit < 62; bit++)
                {
                    Assert.False(MerkleVerifier.VerifyInclusion(i ^ (1L << bit), n, leaf, proof, root).IsValid);
                }
            }
        }
    }

    /// <summary>The tree size enters inclusion verification only through the shape of the path (RFC 9162 §2.1.3.2
    /// walks the proof with (index, size − 1)): a changed size is rejected unless the tree of that size would put
    /// the leaf on an identical path, and such a proof then proves nothing false. The size is bound to the root by
    /// the signed checkpoint. This checks that exact characterisation against the literal RFC recursion.</summary>
    [Fact]
    public void A_changed_tree_size_is_rejected_unless_it_gives_the_identical_path()
    {
        var random = new Random(Seed + 5);
        var rejected = 0;
        foreach (var n in Sizes(random).Where(s => s <= 600))
        {
            var tree = MerkleTree.FromEntries(RandomEntries(random, n));
            var root = tree.RootHash();
            foreach (var i in Enumerable.Range(0, 8).Select(_ => (long)random.Next(n)))
            {
                var proof = tree.InclusionProof(i);
                for (var bit = 0; bit < 62; bit++)
                {
                    var size = n ^ (1L << bit);
                    var valid = MerkleVerifier.VerifyInclusion(i, size, tree.LeafHash(i), proof, root).IsValid;
                    var samePath = i < size && ReferenceMerkle.PathShape(i, size).SequenceEqual(ReferenceMerkle.PathShape(i, n));
                    Assert.Equal(samePath, valid);
                    rejected += valid ? 0 : 1;
                }

                // Doubling or halving the size — the probes of verify_test.go — always changes the path.
                Assert.False(MerkleVerifier.VerifyInclusion(i, n * 2L, tree.LeafHash(i), proof, root).IsValid);
                Assert.False(MerkleVerifier.VerifyInclusion(i, n / 2, tree.LeafHash(i), proof, root).IsValid);
            }
        }

        Assert.True(rejected > 0);
    }

    [Fact]
    public void Any_single_bit_change_in_a_consistency_proof_or_its_roots_is_rejected()
    {
        var random = new Random(Seed + 6);
        foreach (var n in Sizes(random).Where(s => s is >= 2 and <= 300))
        {
            var tree = MerkleTree.FromEntries(RandomEntries(random, n));
            var newRoot = tree.RootHash();
            var exhaustive = n <= 9;
            foreach (var m in exhaustive ? Enumerable.Range(1, n - 1) : Enumerable.Range(0, 5).Select(_ => random.Next(1, n)))
            {
                var oldRoot = tree.RootHash(m);
                var proof = tree.ConsistencyProof(m).ToArray();
                foreach (var bit in Bits(random, exhaustive))
                {
                    Assert.False(MerkleVerifier.VerifyConsistency(m, n, Flip(oldRoot, bit), newRoot, proof).IsValid);
                    Assert.False(MerkleVerifier.VerifyConsistency(m, n, oldRoot, Flip(newRoot, bit), proof).IsValid);
                    for (var p = 0; p < proof.Length; p++)
                    {
                        var wrong = (Sha256Hash[])proof.Clone();
                        wrong[p] = Flip(proof[p], bit);
                        Assert.False(MerkleVerifier.VerifyConsistency(m, n, oldRoot, newRoot, wrong).IsValid,
                            $"{m} -> {n}: flipping bit {bit} of proof[{p}] still verified");
                    }
                }
            }
        }
    }

    /// <summary>As for inclusion proofs, the sizes enter consistency verification only through the shape of the
    /// proof (which elements are shared left parts, new right parts, or the seed): a changed size is rejected unless
    /// the RFC recursion gives the identical shape for it — then the same hashes prove the same thing. Sizes are
    /// bound to roots by the signed checkpoints.</summary>
    [Fact]
    public void A_changed_tree_size_is_rejected_unless_it_gives_the_identical_consistency_shape()
    {
        var random = new Random(Seed + 8);
        var rejected = 0;
        foreach (var n in Sizes(random).Where(s => s is >= 2 and <= 600))
        {
            var tree = MerkleTree.FromEntries(RandomEntries(random, n));
            var newRoot = tree.RootHash();
            foreach (var m in Enumerable.Range(0, 6).Select(_ => (long)random.Next(1, n)))
            {
                var oldRoot = tree.RootHash(m);
                var proof = tree.ConsistencyProof(m);
                var shape = ReferenceMerkle.ConsistencyShape(m, n);
                for (var bit = 0; bit < 62; bit++)
                {
                    foreach (var (m2, n2) in new[] { (m ^ (1L << bit), (long)n), (m, n ^ (1L << bit)) })
                    {
                        var valid = MerkleVerifier.VerifyConsistency(m2, n2, oldRoot, newRoot, proof).IsValid;
                        var sameShape = m2 <= n2 && ReferenceMerkle.ConsistencyShape(m2, n2).SequenceEqual(shape);
                        Assert.True(sameShape == valid, $"{m} -> {n} changed to {m2} -> {n2}: valid {valid}, same shape {sameShape}");
                        rejected += valid ? 0 : 1;
                    }
                }

                // The probes of verify_test.go always change the shape.
                foreach (var (m2, n2) in new[] { (m - 1, (long)n), (m + 1, n), (m ^ 2, n), (m, n * 2L), (m, n / 2) })
                {
                    Assert.False(MerkleVerifier.VerifyConsistency(m2, n2, oldRoot, newRoot, proof).IsValid, $"{m2} -> {n2}");
                }
            }
        }

        Assert.True(rejected > 0);
    }

    [Fact]
    public void Proofs_for_past_sizes_of_a_large_tree_verify()
    {
        var random = new Random(Seed + 7);
        const int n = 100_000;
        var tree = MerkleTree.FromEntries(RandomEntries(random, n));
        for (var trial = 0; trial < 200; trial++)
        {
            var size = random.Next(1, n + 1);
            var index = random.Next(size);
            var old = random.Next(0, size + 1);
            var root = tree.RootHash(size);
            Assert.True(MerkleVerifier.VerifyInclusion(index, size, tree.LeafHash(index), tree.InclusionProof(index, size), root).IsValid);
            Assert.True(MerkleVerifier.VerifyConsistency(old, size, tree.RootHash(old), root, tree.ConsistencyProof(old, size)).IsValid);
        }
    }

    [Fact]
    public void Invalid_arguments_are_refused()
    {
        var tree = MerkleTree.FromEntries(RandomEntries(new Random(Seed), 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.RootHash(6));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.RootHash(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.InclusionProof(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.InclusionProof(0, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.ConsistencyProof(3, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.LeafHash(5));
        Assert.Throws<ArgumentException>(() => tree.AppendLeafHash(new byte[31]));
        Assert.Throws<ArgumentException>(() => MerkleFrontier.Restore(5, [Rfc6962.EmptyRoot]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Rfc6962.SplitPoint(1));
        Assert.Equal(4, Rfc6962.SplitPoint(7));
        Assert.Equal(4, Rfc6962.SplitPoint(8));
        Assert.Equal(16384, Rfc6962.SplitPoint(28937));
        Assert.Empty(tree.ConsistencyProof(0));
        Assert.Empty(tree.ConsistencyProof(5));
    }

    private static IEnumerable<int> Bits(Random random, bool exhaustive) =>
        exhaustive ? Enumerable.Range(0, 256) : Enumerable.Range(0, 8).Select(_ => random.Next(256));

    private static Sha256Hash Flip(Sha256Hash hash, int bit)
    {
        var bytes = hash.ToArray();
        bytes[bit / 8] ^= (byte)(1 << (bit % 8));
        return new Sha256Hash(bytes);
    }
}
