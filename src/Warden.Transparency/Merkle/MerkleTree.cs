using System.Diagnostics;
using System.Numerics;

namespace Warden.Transparency.Merkle;

/// <summary>An append-only RFC 6962 Merkle tree held in memory, with every perfect subtree's hash cached so that the
/// root of any past size, and inclusion and consistency proofs, cost O(log n) hashes instead of O(n).
/// </summary>
/// <remarks>
/// Storage is one level per height: level 0 holds the leaf hashes, level h holds the hashes of the
/// ⌊n / 2^h⌋ perfect subtrees of 2^h leaves — about 2n hashes (64 MB for a million leaves) in 64 KB chunks, so
/// there is no single huge array. Appending a leaf hashes amortised one interior node. Any range the RFC 6962
/// recursion visits is a run of perfect subtrees, so its hash is a fold of at most 63 cached nodes.
/// Not safe for concurrent writers; reads may run concurrently when nothing is appended.
/// </remarks>
public sealed class MerkleTree
{
    private readonly List<HashStore> _levels = [new HashStore()];

    /// <summary>The number of leaves.</summary>
    public long Size { get; private set; }

    /// <summary>Builds a tree over entries (each hashed as a leaf).</summary>
    public static MerkleTree FromEntries(IEnumerable<byte[]> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var tree = new MerkleTree();
        foreach (var entry in entries)
        {
            tree.AppendEntry(entry);
        }

        return tree;
    }

    /// <summary>Builds a tree over precomputed leaf hashes.</summary>
    public static MerkleTree FromLeafHashes(IEnumerable<Sha256Hash> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        var tree = new MerkleTree();
        foreach (var leaf in leafHashes)
        {
            tree.AppendLeafHash(leaf);
        }

        return tree;
    }

    /// <summary>Appends an entry, hashed as SHA-256(0x00 ‖ entry); returns its 0-based leaf index.</summary>
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

        _levels[0].Add(leafHash);
        Span<byte> node = stackalloc byte[Sha256Hash.Size];
        // Completing a right child completes its parent: carry upwards while the index is odd.
        var index = Size;
        for (var level = 0; (index & 1) == 1; level++, index >>= 1)
        {
            if (_levels.Count == level + 1)
            {
                _levels.Add(new HashStore());
            }

            var store = _levels[level];
            Rfc6962.HashChildren(store.Get(index - 1), store.Get(index), node);
            _levels[level + 1].Add(node);
        }

        return Size++;
    }

    /// <summary>The leaf hash at a 0-based index.</summary>
    public Sha256Hash LeafHash(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Size);
        return new Sha256Hash(_levels[0].Get(index));
    }

    /// <summary>MTH of all leaves (SHA-256("") when empty).</summary>
    public Sha256Hash RootHash() => RootHash(Size);

    /// <summary>MTH of the first <paramref name="treeSize"/> leaves — the root this tree had at that size.</summary>
    /// <exception cref="ArgumentOutOfRangeException">treeSize is negative or larger than <see cref="Size"/>.</exception>
    public Sha256Hash RootHash(long treeSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(treeSize, Size);
        if (treeSize == 0)
        {
            return Rfc6962.EmptyRoot;
        }

        var hash = new byte[Sha256Hash.Size];
        RangeHash(0, treeSize, hash);
        return Sha256Hash.Own(hash);
    }

    /// <summary>The inclusion proof (RFC 6962 §2.1.1 audit path) of a leaf in the current tree.</summary>
    public IReadOnlyList<Sha256Hash> InclusionProof(long leafIndex) => InclusionProof(leafIndex, Size);

    /// <summary>The inclusion proof (RFC 6962 §2.1.1 audit path, deepest sibling first) of the leaf at
    /// <paramref name="leafIndex"/> in the tree of the first <paramref name="treeSize"/> leaves.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not 0 ≤ leafIndex &lt; treeSize ≤ Size.</exception>
    public IReadOnlyList<Sha256Hash> InclusionProof(long leafIndex, long treeSize)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(treeSize, Size);
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(leafIndex, treeSize);
        var proof = new List<Sha256Hash>(64);
        AuditPath(leafIndex, 0, treeSize, proof);
        return proof;
    }

    /// <summary>The consistency proof (RFC 6962 §2.1.2) from the tree of the first <paramref name="oldSize"/>
    /// leaves to the current tree.</summary>
    public IReadOnlyList<Sha256Hash> ConsistencyProof(long oldSize) => ConsistencyProof(oldSize, Size);

    /// <summary>The consistency proof (RFC 6962 §2.1.2 PROOF(m, D[n])) between the trees of the first
    /// <paramref name="oldSize"/> and <paramref name="newSize"/> leaves. Empty when the sizes are equal or the
    /// old tree is empty (nothing to prove).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not 0 ≤ oldSize ≤ newSize ≤ Size.</exception>
    public IReadOnlyList<Sha256Hash> ConsistencyProof(long oldSize, long newSize)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(newSize, Size);
        ArgumentOutOfRangeException.ThrowIfNegative(oldSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(oldSize, newSize);
        var proof = new List<Sha256Hash>(64);
        if (oldSize > 0 && oldSize < newSize)
        {
            SubProof(oldSize, 0, newSize, true, proof);
        }

        return proof;
    }

    /// <summary>MTH(D[start:end]) for a range the RFC recursion visits: <paramref name="start"/> is a multiple of the
    /// smallest power of two ≥ end − start, so the range is a run of cached perfect subtrees, largest first.</summary>
    internal void RangeHash(long start, long end, Span<byte> destination)
    {
        Debug.Assert(start >= 0 && start < end && end <= Size, "range out of bounds");
        Debug.Assert(start % (long)BitOperations.RoundUpToPowerOf2((ulong)(end - start)) == 0, "range not aligned");
        Span<int> levels = stackalloc int[64];
        Span<long> indexes = stackalloc long[64];
        var count = 0;
        for (var position = start; position < end;)
        {
            var level = 63 - BitOperations.LeadingZeroCount((ulong)(end - position));
            levels[count] = level;
            indexes[count] = position >> level;
            count++;
            position += 1L << level;
        }

        _levels[levels[count - 1]].Get(indexes[count - 1]).CopyTo(destination);
        for (var i = count - 2; i >= 0; i--)
        {
            Rfc6962.HashChildren(_levels[levels[i]].Get(indexes[i]), destination, destination);
        }
    }

    private Sha256Hash RangeHash(long start, long end)
    {
        var hash = new byte[Sha256Hash.Size];
        RangeHash(start, end, hash);
        return Sha256Hash.Own(hash);
    }

    // PATH(m, D[start:end]) from RFC 6962 §2.1.1, with m an absolute leaf index.
    private void AuditPath(long m, long start, long end, List<Sha256Hash> proof)
    {
        if (end - start == 1)
        {
            return;
        }

        var k = Rfc6962.SplitPoint(end - start);
        if (m < start + k)
        {
            AuditPath(m, start, start + k, proof);
            proof.Add(RangeHash(start + k, end));
        }
        else
        {
            AuditPath(m, start + k, end, proof);
            proof.Add(RangeHash(start, start + k));
        }
    }

    // SUBPROOF(m, D[start:end], b) from RFC 6962 §2.1.2, with m an absolute tree size (start < m ≤ end).
    private void SubProof(long m, long start, long end, bool haveRoot, List<Sha256Hash> proof)
    {
        if (m == end)
        {
            if (!haveRoot)
            {
                proof.Add(RangeHash(start, end));
            }

            return;
        }

        var k = Rfc6962.SplitPoint(end - start);
        if (m <= start + k)
        {
            SubProof(m, start, start + k, haveRoot, proof);
            proof.Add(RangeHash(start + k, end));
        }
        else
        {
            SubProof(m, start + k, end, false, proof);
            proof.Add(RangeHash(start, start + k));
        }
    }

    /// <summary>An append-only list of 32-byte hashes in 64 KB chunks.</summary>
    private sealed class HashStore
    {
        private const int ChunkShift = 11; // 2048 hashes = 64 KB, below the large object heap threshold (85,000 bytes)
        private const int ChunkHashes = 1 << ChunkShift;
        private readonly List<byte[]> _chunks = [];
        private long _count;

        public void Add(ReadOnlySpan<byte> hash)
        {
            var offset = (int)(_count & (ChunkHashes - 1));
            if (offset == 0)
            {
                _chunks.Add(new byte[ChunkHashes * Sha256Hash.Size]);
            }

            hash.CopyTo(_chunks[^1].AsSpan(offset * Sha256Hash.Size, Sha256Hash.Size));
            _count++;
        }

        public ReadOnlySpan<byte> Get(long index) =>
            _chunks[(int)(index >> ChunkShift)].AsSpan((int)(index & (ChunkHashes - 1)) * Sha256Hash.Size, Sha256Hash.Size);
    }
}
