using System.Numerics;
using System.Security.Cryptography;

namespace Warden.Transparency.Merkle;

/// <summary>The RFC 6962 §2.1 hashing rules (SHA-256 with domain separation):
/// leaf hash = SHA-256(0x00 ‖ entry), node hash = SHA-256(0x01 ‖ left ‖ right), and the hash of the empty tree is
/// SHA-256 of the empty string. Splits happen at the largest power of two strictly smaller than the size.</summary>
public static class Rfc6962
{
    /// <summary>The prefix byte of a leaf hash's input.</summary>
    public const byte LeafPrefix = 0x00;

    /// <summary>The prefix byte of an interior node hash's input.</summary>
    public const byte NodePrefix = 0x01;

    /// <summary>Inputs up to this length are hashed from the stack.</summary>
    private const int StackLimit = 256;

    /// <summary>MTH({}) = SHA-256("") = e3b0c442…b855.</summary>
    public static Sha256Hash EmptyRoot { get; } = Sha256Hash.Compute([]);

    /// <summary>The leaf hash of an entry: SHA-256(0x00 ‖ entry).</summary>
    public static Sha256Hash HashLeaf(ReadOnlySpan<byte> entry)
    {
        var hash = new byte[Sha256Hash.Size];
        HashLeaf(entry, hash);
        return Sha256Hash.Own(hash);
    }

    /// <summary>Writes SHA-256(0x00 ‖ entry) into <paramref name="destination"/> (32 bytes) without allocating for
    /// entries up to 255 bytes.</summary>
    public static void HashLeaf(ReadOnlySpan<byte> entry, Span<byte> destination)
    {
        if (entry.Length < StackLimit)
        {
            Span<byte> input = stackalloc byte[StackLimit];
            input[0] = LeafPrefix;
            entry.CopyTo(input[1..]);
            SHA256.HashData(input[..(entry.Length + 1)], destination);
            return;
        }

        using var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hasher.AppendData([LeafPrefix]);
        hasher.AppendData(entry);
        hasher.GetHashAndReset(destination);
    }

    /// <summary>The interior node hash SHA-256(0x01 ‖ left ‖ right).</summary>
    public static Sha256Hash HashChildren(Sha256Hash left, Sha256Hash right)
    {
        var hash = new byte[Sha256Hash.Size];
        HashChildren(left.Span, right.Span, hash);
        return Sha256Hash.Own(hash);
    }

    /// <summary>Writes SHA-256(0x01 ‖ left ‖ right) into <paramref name="destination"/> (32 bytes). The inputs may be
    /// any length (the published test vectors hash short strings); in a tree they are 32-byte hashes.
    /// <paramref name="destination"/> may overlap either input.</summary>
    public static void HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        var length = 1 + left.Length + right.Length;
        if (length <= StackLimit)
        {
            Span<byte> input = stackalloc byte[StackLimit];
            input[0] = NodePrefix;
            left.CopyTo(input[1..]);
            right.CopyTo(input[(1 + left.Length)..]);
            SHA256.HashData(input[..length], destination);
            return;
        }

        using var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hasher.AppendData([NodePrefix]);
        hasher.AppendData(left);
        hasher.AppendData(right);
        hasher.GetHashAndReset(destination);
    }

    /// <summary>The RFC 6962 split point k for a list of n ≥ 2 entries: the largest power of two smaller than n.</summary>
    /// <exception cref="ArgumentOutOfRangeException">n is less than 2.</exception>
    public static long SplitPoint(long n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2);
        return 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));
    }

    /// <summary>MTH(D[n]) of a list of entries, hashing each as a leaf (O(n) time, O(log n) memory).</summary>
    public static Sha256Hash RootOfEntries(IEnumerable<byte[]> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var frontier = new MerkleFrontier();
        foreach (var entry in entries)
        {
            frontier.AppendEntry(entry);
        }

        return frontier.RootHash();
    }

    /// <summary>MTH of a list of precomputed leaf hashes (O(n) time, O(log n) memory).</summary>
    public static Sha256Hash RootOfLeafHashes(IEnumerable<Sha256Hash> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        var frontier = new MerkleFrontier();
        foreach (var leaf in leafHashes)
        {
            frontier.AppendLeafHash(leaf);
        }

        return frontier.RootHash();
    }
}
