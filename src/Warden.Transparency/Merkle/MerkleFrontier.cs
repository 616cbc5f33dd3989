using System.Numerics;

namespace Warden.Transparency.Merkle;

/// <summary>The compact range [0, n) of an append-only RFC 6962 tree: the hashes of the perfect subtrees that cover
/// the n leaves (one per set bit of n, largest first). Appending a leaf costs amortised O(1) hashes, the root
/// costs O(log n), and memory stays O(log n) — at most 63 hashes — however many leaves are appended. This is how a
/// writer (or a verifier streaming a million entries) gets the root without holding the leaves.</summary>
public sealed class MerkleFrontier
{
    // Node i occupies bytes [32i, 32i + 32): the hash of a perfect subtree; sizes strictly decrease with i and sum to
    // Size. One fixed buffer, so appending allocates nothing.
    private readonly byte[] _nodes = new byte[64 * Sha256Hash.Size];
    private int _count;

    /// <summary>The number of leaves appended.</summary>
    public long Size { get; private set; }

    /// <summary>The hashes of the perfect subtrees that cover [0, Size), left to right (largest first).
    /// Their count is the number of set bits in <see cref="Size"/>.</summary>
    public IReadOnlyList<Sha256Hash> Nodes => Enumerable.Range(0, _count).Select(i => new Sha256Hash(Node(i))).ToArray();

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

        var frontier = new MerkleFrontier { Size = size, _count = nodes.Count };
        for (var i = 0; i < nodes.Count; i++)
        {
            nodes[i].CopyTo(frontier.Node(i));
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

        Span<byte> hash = stackalloc byte[Sha256Hash.Size];
        leafHash.CopyTo(hash);
        // Each trailing 1-bit of the old size is a perfect subtree of the same height as the one being carried:
        // merge them, exactly like binary addition.
        for (var s = Size; (s & 1) == 1; s >>= 1)
        {
            _count--;
            Rfc6962.HashChildren(Node(_count), hash, hash);
        }

        hash.CopyTo(Node(_count));
        _count++;
        return Size++;
    }

    /// <summary>MTH of the leaves appended so far: the frontier folded right to left; SHA-256("") when empty.</summary>
    public Sha256Hash RootHash()
    {
        if (_count == 0)
        {
            return Rfc6962.EmptyRoot;
        }

        var root = Node(_count - 1).ToArray();
        for (var i = _count - 2; i >= 0; i--)
        {
            Rfc6962.HashChildren(Node(i), root, root);
        }

        return Sha256Hash.Own(root);
    }

    private Span<byte> Node(int index) => _nodes.AsSpan(index * Sha256Hash.Size, Sha256Hash.Size);
}
