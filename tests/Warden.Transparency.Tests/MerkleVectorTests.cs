using System.Text;
using System.Text.Json;
using Warden.Transparency.Merkle;

namespace Warden.Transparency.Tests;

/// <summary>Agreement with the published RFC 6962 vectors of transparency-dev/merkle (the same leaves and roots as
/// google/certificate-transparency and google/trillian); see Fixtures/transparency-dev-merkle.json.</summary>
public sealed class MerkleVectorTests
{
    /// <summary>sha256SomeHash in transparency-dev's verify_test.go.</summary>
    private static readonly Sha256Hash SomeHash = Sha256Hash.FromHex("abacaba000000000000000000000000000000000000000000060061e00123456");

    private static MerkleTree ReferenceTree() => MerkleTree.FromEntries(Fixtures.LeafInputs);

    [Fact]
    public void Hasher_matches_rfc6962_hasher_vectors()
    {
        var vectors = Fixtures.Merkle.GetProperty("hasher");
        Assert.Equal(vectors.GetProperty("emptyRoot").GetString(), Rfc6962.EmptyRoot.ToHex());
        Assert.Equal(vectors.GetProperty("emptyLeaf").GetString(), Rfc6962.HashLeaf([]).ToHex());
        Assert.Equal(vectors.GetProperty("leafL123456").GetString(), Rfc6962.HashLeaf("L123456"u8).ToHex());
        Span<byte> node = stackalloc byte[32];
        Rfc6962.HashChildren("N123"u8, "N456"u8, node);
        Assert.Equal(vectors.GetProperty("nodeN123N456").GetString(), Convert.ToHexStringLower(node));
        // The empty tree's hash is not the hash of an empty leaf (domain separation).
        Assert.NotEqual(Rfc6962.EmptyRoot, Rfc6962.HashLeaf([]));
    }

    [Fact]
    public void Leaf_hash_of_long_entries_uses_the_same_rule()
    {
        var entry = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        Assert.Equal(ReferenceMerkle.LeafHash(entry), Rfc6962.HashLeaf(entry).ToArray());
        var left = new byte[200];
        var right = new byte[300];
        Span<byte> node = stackalloc byte[32];
        Rfc6962.HashChildren(left, right, node);
        Assert.Equal(ReferenceMerkle.NodeHash(left, right), node.ToArray());
    }

    [Fact]
    public void Roots_for_sizes_0_to_8_match_the_published_roots()
    {
        var leaves = Fixtures.LeafInputs;
        var roots = Fixtures.RootsBySize;
        var tree = new MerkleTree();
        var frontier = new MerkleFrontier();
        Assert.Equal(roots[0], tree.RootHash());
        Assert.Equal(roots[0], frontier.RootHash());
        for (var n = 1; n <= 8; n++)
        {
            tree.AppendEntry(leaves[n - 1]);
            frontier.AppendEntry(leaves[n - 1]);
            Assert.Equal(roots[n], tree.RootHash());
            Assert.Equal(roots[n], frontier.RootHash());
            Assert.Equal(roots[n], Rfc6962.RootOfEntries(leaves.Take(n)));
            Assert.Equal(roots[n], new Sha256Hash(ReferenceMerkle.Mth(leaves[..n])));
        }

        // Past sizes from the full tree.
        for (var n = 0; n <= 8; n++)
        {
            Assert.Equal(roots[n], tree.RootHash(n));
        }
    }

    [Fact]
    public void Every_perfect_subtree_matches_the_published_node_hashes()
    {
        var tree = ReferenceTree();
        var levels = Fixtures.NodeHashes;
        Span<byte> hash = stackalloc byte[32];
        for (var level = 0; level < levels.Length; level++)
        {
            for (var index = 0; index < levels[level].Length; index++)
            {
                var start = (long)index << level;
                tree.RangeHash(start, start + (1L << level), hash);
                Assert.Equal(levels[level][index], new Sha256Hash(hash));
            }
        }

        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(levels[0][i], tree.LeafHash(i));
        }
    }

    [Fact]
    public void Frontier_nodes_match_the_published_compact_trees()
    {
        var levels = Fixtures.NodeHashes;
        var expected = Fixtures.Merkle.GetProperty("compactTreesBySize").EnumerateArray()
            .Select(size => size.EnumerateArray().Select(id => levels[id[0].GetInt32()][id[1].GetInt32()]).ToArray())
            .ToArray();
        var frontier = new MerkleFrontier();
        Assert.Empty(frontier.Nodes);
        var leaves = Fixtures.LeafInputs;
        for (var n = 1; n <= 8; n++)
        {
            frontier.AppendEntry(leaves[n - 1]);
            Assert.Equal(expected[n], frontier.Nodes);

            // A frontier restored from its nodes continues identically.
            var restored = MerkleFrontier.Restore(n, frontier.Nodes);
            Assert.Equal(frontier.RootHash(), restored.RootHash());
        }
    }

    public static TheoryData<int> InclusionCases() => CaseIndexes("inclusionProofs");

    public static TheoryData<int> ConsistencyCases() => CaseIndexes("consistencyProofs");

    [Theory]
    [MemberData(nameof(InclusionCases))]
    public void Inclusion_proof_vector_is_generated_and_verifies(int caseIndex)
    {
        var vector = Fixtures.Merkle.GetProperty("inclusionProofs")[caseIndex];
        var leafIndex = vector.GetProperty("leafIndex").GetInt64();
        var treeSize = vector.GetProperty("treeSize").GetInt64();
        var proof = vector.GetProperty("proof").Hashes();
        var root = Fixtures.RootsBySize[treeSize];
        var leafHash = Rfc6962.HashLeaf(Fixtures.LeafInputs[leafIndex]);

        Assert.Equal(proof, ReferenceTree().InclusionProof(leafIndex, treeSize));
        Assert.True(MerkleVerifier.TryRootFromInclusionProof(leafIndex, treeSize, leafHash, proof, out var computed, out _));
        Assert.Equal(root, computed);
        Assert.True(MerkleVerifier.VerifyInclusion(leafIndex, treeSize, leafHash, proof, root).IsValid);

        foreach (var (description, probe) in CorruptInclusion(leafIndex, treeSize, leafHash, proof, root))
        {
            var result = MerkleVerifier.VerifyInclusion(probe.LeafIndex, probe.TreeSize, probe.LeafHash, probe.Proof, probe.Root);
            Assert.False(result.IsValid, $"accepted a corrupted proof ({description})");
            Assert.False(string.IsNullOrEmpty(result.Problem));
        }
    }

    [Theory]
    [MemberData(nameof(ConsistencyCases))]
    public void Consistency_proof_vector_is_generated_and_verifies(int caseIndex)
    {
        var vector = Fixtures.Merkle.GetProperty("consistencyProofs")[caseIndex];
        var size1 = vector.GetProperty("size1").GetInt64();
        var size2 = vector.GetProperty("size2").GetInt64();
        var proof = vector.GetProperty("proof").Hashes();
        var roots = Fixtures.RootsBySize;

        Assert.Equal(proof, ReferenceTree().ConsistencyProof(size1, size2));
        Assert.True(MerkleVerifier.VerifyConsistency(size1, size2, roots[size1], roots[size2], proof).IsValid);
        if (proof.Length == 0)
        {
            return; // as in verify_test.go, probes only apply to non-trivial proofs
        }

        foreach (var (description, probe) in CorruptConsistency(size1, size2, roots[size1], roots[size2], proof))
        {
            var result = MerkleVerifier.VerifyConsistency(probe.Size1, probe.Size2, probe.Root1, probe.Root2, probe.Proof);
            Assert.False(result.IsValid, $"accepted a corrupted proof ({description})");
        }
    }

    [Fact]
    public void Inclusion_proof_layouts_match_the_published_node_ids()
    {
        var tree = ReferenceTree();
        foreach (var layout in Fixtures.Merkle.GetProperty("inclusionLayouts").EnumerateArray())
        {
            var size = layout.GetProperty("treeSize").GetInt64();
            var index = layout.GetProperty("leafIndex").GetInt64();
            Assert.Equal(ExpandLayout(layout), tree.InclusionProof(index, size));
        }

        foreach (var pair in Fixtures.Merkle.GetProperty("inclusionErrors").EnumerateArray())
        {
            var (size, index) = (pair[0].GetInt64(), pair[1].GetInt64());
            Assert.ThrowsAny<ArgumentOutOfRangeException>(() => tree.InclusionProof(index, size));
        }
    }

    [Fact]
    public void Consistency_proof_layouts_match_the_published_node_ids()
    {
        var tree = ReferenceTree();
        foreach (var layout in Fixtures.Merkle.GetProperty("consistencyLayouts").EnumerateArray())
        {
            var size1 = layout.GetProperty("size1").GetInt64();
            var size2 = layout.GetProperty("size2").GetInt64();
            var expected = ExpandLayout(layout);
            var proof = tree.ConsistencyProof(size1, size2);
            Assert.Equal(expected, proof);
            Assert.Equal(expected.Count, MerkleVerifier.ConsistencyProofLength(size1, size2));
            Assert.True(MerkleVerifier.VerifyConsistency(size1, size2, tree.RootHash(size1), tree.RootHash(size2), proof).IsValid);
        }

        foreach (var pair in Fixtures.Merkle.GetProperty("consistencyErrors").EnumerateArray())
        {
            var (size1, size2) = (pair[0].GetInt64(), pair[1].GetInt64());
            Assert.ThrowsAny<ArgumentOutOfRangeException>(() => tree.ConsistencyProof(size1, size2));
        }
    }

    /// <summary>The edge cases of verify_test.go's TestVerifyConsistency. Its 12-byte "don't care" roots become
    /// 32-byte hashes of those strings.</summary>
    [Fact]
    public void Consistency_edge_cases_from_verify_test()
    {
        var root1 = Sha256Hash.Compute("don't care 1"u8);
        var root2 = Sha256Hash.Compute("don't care 2"u8);
        var empty = Rfc6962.EmptyRoot;
        Sha256Hash[] none = [];
        Sha256Hash[] oneEmpty = [empty];
        (long Size1, long Size2, Sha256Hash Root1, Sha256Hash Root2, Sha256Hash[] Proof, bool WantValid)[] cases =
        [
            (0, 0, root1, root2, none, false),
            (1, 1, root1, root2, none, false),
            // verify_test.go accepts any root for size 0 ((0, 0, root1, root1) and (0, 1, root1, root2) are valid there);
            // Warden insists on SHA-256(""), the only root an empty tree has, so those become:
            (0, 0, root1, root1, none, false),
            (0, 0, empty, empty, none, true),
            (0, 1, root1, root2, none, false),
            (0, 1, empty, root2, none, true),
            (1, 1, root2, root2, none, true),
            (1, 0, root1, root2, none, false),
            (2, 1, root1, root2, none, false),
            (1, 2, root1, root2, none, false),
            (0, 0, empty, root2, none, false),
            (1, 1, empty, root2, none, false),
            (0, 0, empty, empty, oneEmpty, false),
            (0, 1, empty, empty, oneEmpty, false),
            (1, 1, empty, empty, oneEmpty, false),
        ];
        foreach (var c in cases)
        {
            var result = MerkleVerifier.VerifyConsistency(c.Size1, c.Size2, c.Root1, c.Root2, c.Proof);
            Assert.True(c.WantValid == result.IsValid, $"({c.Size1}, {c.Size2}): {result}");
        }
    }

    /// <summary>verify_test.go's TestVerifyInclusion probes and TestVerifyInclusionSingleEntry.</summary>
    [Fact]
    public void Inclusion_edge_cases_from_verify_test()
    {
        Sha256Hash[] none = [];
        foreach (var (index, size) in new (long, long)[] { (0, 0), (0, 1), (1, 0), (2, 1) })
        {
            Assert.False(MerkleVerifier.VerifyInclusion(index, size, SomeHash, none, Rfc6962.EmptyRoot).IsValid);
        }

        var hash = Rfc6962.HashLeaf("data"u8);
        Assert.True(MerkleVerifier.VerifyInclusion(0, 1, hash, none, hash).IsValid);
        Assert.False(MerkleVerifier.VerifyInclusion(0, 1, hash, none, Rfc6962.EmptyRoot).IsValid);
        Assert.False(MerkleVerifier.VerifyInclusion(0, 1, Rfc6962.EmptyRoot, none, hash).IsValid);
        // Proof elements are 32-byte hashes by construction: the "empty hash" probes are refused when they are built.
        Assert.Throws<ArgumentException>(() => new Sha256Hash([]));
        Assert.Throws<ArgumentException>(() => new Sha256Hash(Encoding.ASCII.GetBytes("WrongLeaf")));
    }

    private static TheoryData<int> CaseIndexes(string property)
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Fixtures.Merkle.GetProperty(property).GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    /// <summary>The node ids of a layout resolved through the published node hashes, with the rehash range folded.</summary>
    private static List<Sha256Hash> ExpandLayout(JsonElement layout)
    {
        var levels = Fixtures.NodeHashes;
        var hashes = layout.GetProperty("nodes").EnumerateArray()
            .Select(id => levels[id[0].GetInt32()][id[1].GetInt32()]).ToList();
        if (!layout.TryGetProperty("rehash", out var rehash))
        {
            return hashes;
        }

        var (begin, end) = (rehash[0].GetInt32(), rehash[1].GetInt32());
        var folded = hashes[begin];
        for (var i = begin + 1; i < end; i++)
        {
            folded = Rfc6962.HashChildren(hashes[i], folded);
        }

        return [.. hashes[..begin], folded, .. hashes[end..]];
    }

    internal sealed record InclusionProbe(long LeafIndex, long TreeSize, Sha256Hash LeafHash, Sha256Hash[] Proof, Sha256Hash Root);

    internal sealed record ConsistencyProbe(long Size1, long Size2, Sha256Hash Root1, Sha256Hash Root2, Sha256Hash[] Proof);

    /// <summary>verify_test.go's corruptInclusionProof, less the probes that need non-32-byte elements.</summary>
    internal static IEnumerable<(string, InclusionProbe)> CorruptInclusion(
        long leafIndex, long treeSize, Sha256Hash leafHash, Sha256Hash[] proof, Sha256Hash root)
    {
        yield return ("leafIndex - 1", new(leafIndex - 1, treeSize, leafHash, proof, root));
        yield return ("leafIndex + 1", new(leafIndex + 1, treeSize, leafHash, proof, root));
        yield return ("leafIndex ^ 2", new(leafIndex ^ 2, treeSize, leafHash, proof, root));
        yield return ("treeSize * 2", new(leafIndex, treeSize * 2, leafHash, proof, root));
        yield return ("treeSize / 2", new(leafIndex, treeSize / 2, leafHash, proof, root));
        yield return ("wrong leaf", new(leafIndex, treeSize, Rfc6962.HashLeaf("WrongLeaf"u8), proof, root));
        yield return ("empty root", new(leafIndex, treeSize, leafHash, proof, Rfc6962.EmptyRoot));
        yield return ("random root", new(leafIndex, treeSize, leafHash, proof, SomeHash));
        yield return ("trailing root", new(leafIndex, treeSize, leafHash, [.. proof, root], root));
        yield return ("preceding root", new(leafIndex, treeSize, leafHash, [root, .. proof], root));
        for (var i = 0; i < proof.Length; i++)
        {
            var wrong = (Sha256Hash[])proof.Clone();
            var bytes = wrong[i].ToArray();
            bytes[0] ^= 8;
            wrong[i] = new Sha256Hash(bytes);
            yield return ($"modified proof[{i}] bit 3", new(leafIndex, treeSize, leafHash, wrong, root));
        }

        if (proof.Length > 0)
        {
            yield return ("removed component", new(leafIndex, treeSize, leafHash, proof[..^1], root));
        }

        if (proof.Length > 1)
        {
            yield return ("inserted component", new(leafIndex, treeSize, leafHash, [proof[0], SomeHash, .. proof[1..]], root));
        }
    }

    /// <summary>verify_test.go's corruptConsistencyProof, less the probes that need non-32-byte elements.</summary>
    internal static IEnumerable<(string, ConsistencyProbe)> CorruptConsistency(
        long size1, long size2, Sha256Hash root1, Sha256Hash root2, Sha256Hash[] proof)
    {
        var wrongRoot = Sha256Hash.Compute("WrongRoot"u8);
        yield return ("size1 - 1", new(size1 - 1, size2, root1, root2, proof));
        yield return ("size1 + 1", new(size1 + 1, size2, root1, root2, proof));
        yield return ("size1 ^ 2", new(size1 ^ 2, size2, root1, root2, proof));
        yield return ("size2 * 2", new(size1, size2 * 2, root1, root2, proof));
        yield return ("size2 / 2", new(size1, size2 / 2, root1, root2, proof));
        yield return ("wrong root1", new(size1, size2, wrongRoot, root2, proof));
        yield return ("wrong root2", new(size1, size2, root1, wrongRoot, proof));
        yield return ("swapped roots", new(size1, size2, root2, root1, proof));
        yield return ("empty proof", new(size1, size2, root1, root2, []));
        yield return ("trailing root1", new(size1, size2, root1, root2, [.. proof, root1]));
        yield return ("trailing root2", new(size1, size2, root1, root2, [.. proof, root2]));
        yield return ("preceding root1", new(size1, size2, root1, root2, [root1, .. proof]));
        yield return ("preceding root2", new(size1, size2, root1, root2, [root2, .. proof]));
        yield return ("preceding proof[0]", new(size1, size2, root1, root2, [proof[0], .. proof]));
        yield return ("truncated proof", new(size1, size2, root1, root2, proof[..^1]));
        for (var i = 0; i < proof.Length; i++)
        {
            var wrong = (Sha256Hash[])proof.Clone();
            var bytes = wrong[i].ToArray();
            bytes[0] ^= 16;
            wrong[i] = new Sha256Hash(bytes);
            yield return ($"modified proof[{i}] bit 4", new(size1, size2, root1, root2, wrong));
        }
    }
}
