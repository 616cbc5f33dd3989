using System.Numerics;

namespace Warden.Transparency.Merkle;

/// <summary>The compact range [0, n) of an append-only RFC 6962 tree: one hash per perfect subtree on the tree's left
/// edge decomposition (one per set bit of n, largest first). Appending a leaf costs amortised O(1) hashes, the root
/// costs O(log n), and memory stays O(log n) — at most 63 hashes — however many leaves are appended. This is how a
/// writer (or a verifier streaming a million entries) gets the root without holding the leaves.</summary>
public sealed class MerkleFrontier
{
    // _nodes[i] is the hash of a perfect subtree; sizes strictly decrease with i and sum to Size.
    private readonly List<byte[]> _nodes = [];

    /// <summary>The number of leaves appended.</summary>
    public long Size { get; private set; }

    /// <summary>The hashes of the perfect subtrees that cover [0, Size), left to right (largest first).
    /// Their count is the number of set bits in <see cref="Size"/>.</summary>
    public IReadOnlyList<Sha256Hash> Nodes => _nodes.Select(n => Sha256Hash.Own((byte[])n.Clone())).ToArray();

    /// <summary>Rebuilds a frontier from a size and its <see cref="Nodes"/> (for example, kept across restarts).</summary>
    /// <exception cref="ArgumentException">The node count does not match the size.</exception>
    public static MerkleFrontier Restore(long size, IReadOnlyList<Sha256Hash> nodes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentNullException.ThrowIfNull(nodes);
        var expected = BitOperations.PopCount((ulong)size);
        if (nodes.Count != expected)
        {
            throw new ArgumentException($"A frontier of size {size} has {expected} nodes, not {nodes.Count}.", nameof(nodes));
        }

        var frontier = new MerkleFrontier { Size = size };
        foreach (var node in nodes)
        {
            frontier._nodes.Add(node.ToArray());
        }

        return frontier;
    }

    /// <summary>Appends an entry (hashed as a leaf, SHA-256(0x00 ‖ entry)); returns its 0-based leaf index.</summary>
    public long AppendEntry(ReadOnlySpan<byte> entry)
    {
        Span<byte> leaf = stackalloc byte[Sha256Hash.Size];
        Rfc6962.HashLeaf(entry, leaf);
        return AppendLeafHash(leaf);
    }

    /// <summary>Appends a precomputed leaf hash; returns its 0-based leaf index.</summary>
    public long AppendLeafHash(Sha256Hash leafHash) => AppendLeafHash(leafHash.Span);

    /// <summary>Appends a precomputed 32-byte leaf hash; returns its 0-based leaf index.</summary>
    /// <exception cref="ArgumentException">The hash is not 32 bytes.</exception>
    public long AppendLeafHash(ReadOnlySpan<byte> leafHash)
    {
        if (leafHash.Length != Sha256Hash.Size)
        {
            throw new ArgumentException($"A leaf hash is {Sha256Hash.Size} bytes, not {leafHash.Length}.", nameof(leafHash));
        }

        var hash = leafHash.ToArray();
        // Each trailing 1-bit of the old size is a perfect subtree of the same height as the one being carried:
        // merge them, exactly like binary addition.
        for (var s = Size; (s & 1) == 1; s >>= 1)
        {
            var left = _nodes[^1];
            _nodes.RemoveAt(_nodes.Count - 1);
            Rfc6962.HashChildren(left, hash, hash);
        }

        _nodes.Add(hash);
        return Size++;
    }

    /// <summary>MTH of the leaves appended so far: the frontier folded right to left; SHA-256("") when empty.</summary>
    public Sha256Hash RootHash()
    {
        if (_nodes.Count == 0)
        {
            return Rfc6962.EmptyRoot;
        }

        var root = (byte[])_nodes[^1].Clone();
        for (var i = _nodes.Count - 2; i >= 0; i--)
        {
            Rfc6962.HashChildren(_nodes[i], root, root);
        }

        return Sha256Hash.Own(root);
    }
}
