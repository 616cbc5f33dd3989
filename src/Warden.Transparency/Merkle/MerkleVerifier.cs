using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Warden.Transparency.Merkle;

/// <summary>Verification of inclusion and consistency proofs from (leaf index, tree size, roots) alone — the
/// algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2, which need neither the tree nor the server. Proof elements are
/// ordered as RFC 6962 produces them: deepest (closest to the leaves) first.</summary>
public static class MerkleVerifier
{
    /// <summary>Checks that <paramref name="leafHash"/> is the leaf at <paramref name="leafIndex"/> (0-based) of the
    /// tree of <paramref name="treeSize"/> leaves whose root is <paramref name="rootHash"/>.</summary>
    public static VerificationResult VerifyInclusion(
        long leafIndex, long treeSize, Sha256Hash leafHash, IReadOnlyList<Sha256Hash> proof, Sha256Hash rootHash)
    {
        if (!TryRootFromInclusionProof(leafIndex, treeSize, leafHash, proof, out var computed, out var problem))
        {
            return VerificationResult.Invalid(problem);
        }

        return computed == rootHash
            ? VerificationResult.Valid
            : VerificationResult.Invalid(
                $"the inclusion proof for leaf {leafIndex} of a tree of {treeSize} leads to root {Short(computed)}, " +
                $"not the expected {Short(rootHash)}: the leaf, the proof or the root is wrong");
    }

    /// <summary>The root implied by an inclusion proof (RFC 9162 §2.1.3.2 steps 1–4); false, with the reason, when
    /// the index, size or proof length cannot describe a leaf of such a tree.</summary>
    public static bool TryRootFromInclusionProof(
        long leafIndex, long treeSize, Sha256Hash leafHash, IReadOnlyList<Sha256Hash> proof,
        out Sha256Hash rootHash, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(proof);
        rootHash = default;
        if (treeSize <= 0 || leafIndex < 0 || leafIndex >= treeSize)
        {
            problem = $"leaf index {leafIndex} is not in a tree of {treeSize} leaves";
            return false;
        }

        var expected = InclusionProofLength(leafIndex, treeSize);
        if (proof.Count != expected)
        {
            problem = $"the inclusion proof has {proof.Count} hashes; leaf {leafIndex} of a tree of {treeSize} needs {expected}";
            return false;
        }

        Span<byte> r = stackalloc byte[Sha256Hash.Size];
        leafHash.CopyTo(r);
        var fn = leafIndex;
        var sn = treeSize - 1;
        foreach (var p in proof)
        {
            if (sn == 0)
            {
                problem = "the inclusion proof is longer than the path from the leaf to the root";
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                Rfc6962.HashChildren(p.Span, r, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                Rfc6962.HashChildren(r, p.Span, r);
            }

            fn >>= 1;
            sn >>= 1;
        }

        if (sn != 0)
        {
            problem = "the inclusion proof is shorter than the path from the leaf to the root";
            return false;
        }

        rootHash = new Sha256Hash(r);
        problem = null;
        return true;
    }

    /// <summary>Checks that the tree of <paramref name="oldSize"/> leaves with root <paramref name="oldRoot"/> is a
    /// prefix of the tree of <paramref name="newSize"/> leaves with root <paramref name="newRoot"/>.</summary>
    /// <remarks>Equal sizes need an empty proof and equal roots. An empty old tree is consistent with every tree, but
    /// its root must be SHA-256("") — stricter than RFC 9162 and transparency-dev/merkle, which leave the size-0 root
    /// unchecked.</remarks>
    public static VerificationResult VerifyConsistency(
        long oldSize, long newSize, Sha256Hash oldRoot, Sha256Hash newRoot, IReadOnlyList<Sha256Hash> proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (oldSize < 0 || newSize < oldSize)
        {
            return VerificationResult.Invalid(
                $"a tree of {newSize} leaves cannot extend a tree of {oldSize} leaves (the log cannot shrink)");
        }

        if (oldSize == 0 && oldRoot != Rfc6962.EmptyRoot)
        {
            return VerificationResult.Invalid($"the root of an empty tree is {Short(Rfc6962.EmptyRoot)}, not {Short(oldRoot)}");
        }

        if (oldSize == newSize)
        {
            if (proof.Count != 0)
            {
                return VerificationResult.Invalid($"the consistency proof between equal sizes must be empty, not {proof.Count} hashes");
            }

            return oldRoot == newRoot
                ? VerificationResult.Valid
                : VerificationResult.Invalid(
                    $"two different roots for the same size {oldSize}: {Short(oldRoot)} and {Short(newRoot)} (the log forked)");
        }

        if (oldSize == 0)
        {
            return proof.Count == 0
                ? VerificationResult.Valid
                : VerificationResult.Invalid($"the consistency proof from an empty tree must be empty, not {proof.Count} hashes");
        }

        var expected = ConsistencyProofLength(oldSize, newSize);
        if (proof.Count != expected)
        {
            return VerificationResult.Invalid(
                $"the consistency proof has {proof.Count} hashes; from size {oldSize} to {newSize} it needs {expected}");
        }

        // RFC 9162 §2.1.4.2. When oldSize is a power of two the old root is itself a node of the new tree and is
        // prepended to the path.
        var oldIsPerfect = BitOperations.IsPow2(oldSize);
        Span<byte> fr = stackalloc byte[Sha256Hash.Size];
        Span<byte> sr = stackalloc byte[Sha256Hash.Size];
        (oldIsPerfect ? oldRoot : proof[0]).CopyTo(fr);
        fr.CopyTo(sr);
        var fn = oldSize - 1;
        var sn = newSize - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        for (var i = oldIsPerfect ? 0 : 1; i < proof.Count; i++)
        {
            var c = proof[i].Span;
            if (sn == 0)
            {
                return VerificationResult.Invalid("the consistency proof is longer than the trees need");
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                Rfc6962.HashChildren(c, fr, fr);
                Rfc6962.HashChildren(c, sr, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                Rfc6962.HashChildren(sr, c, sr);
            }

            fn >>= 1;
            sn >>= 1;
        }

        if (sn != 0)
        {
            return VerificationResult.Invalid("the consistency proof is shorter than the trees need");
        }

        if (!oldRoot.Equals(fr))
        {
            return VerificationResult.Invalid(
                $"the consistency proof does not reproduce the old root {Short(oldRoot)} of size {oldSize} " +
                $"(it gives {Short(new Sha256Hash(fr))}): the first {oldSize} leaves are not the old tree, or the proof is wrong");
        }

        return newRoot.Equals(sr)
            ? VerificationResult.Valid
            : VerificationResult.Invalid(
                $"the consistency proof does not reproduce the new root {Short(newRoot)} of size {newSize} " +
                $"(it gives {Short(new Sha256Hash(sr))}): the new tree does not extend the old one, or the proof is wrong");
    }

    /// <summary>The number of hashes in the inclusion proof of leaf <paramref name="leafIndex"/> in a tree of
    /// <paramref name="treeSize"/> leaves: the levels below the point where the leaf's path and the tree's right
    /// edge part, plus one per left sibling above it.</summary>
    public static int InclusionProofLength(long leafIndex, long treeSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leafIndex, treeSize);
        var inner = 64 - BitOperations.LeadingZeroCount((ulong)(leafIndex ^ (treeSize - 1)));
        return inner + BitOperations.PopCount((ulong)leafIndex >> inner);
    }

    /// <summary>The number of hashes in the consistency proof from <paramref name="oldSize"/> to
    /// <paramref name="newSize"/> (0 when the sizes are equal or the old tree is empty).</summary>
    public static int ConsistencyProofLength(long oldSize, long newSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(oldSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(newSize, oldSize);
        if (oldSize == 0 || oldSize == newSize)
        {
            return 0;
        }

        // The old tree's right edge is the path of leaf oldSize − 1; above the perfect subtrees it shares with the
        // new tree, the proof is that path's inclusion proof, plus the shared subtree itself unless it is the old root.
        var level = BitOperations.TrailingZeroCount(oldSize);
        var index = (oldSize - 1) >> level;
        var size = ((newSize - 1) >> level) + 1;
        var length = InclusionProofLength(index, size);
        return BitOperations.IsPow2(oldSize) ? length : length + 1;
    }

    private static string Short(Sha256Hash hash) => hash.ToHex()[..16] + "…";
}
