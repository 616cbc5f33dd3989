using System.Security.Cryptography;

namespace Warden.Transparency.Tests;

/// <summary>RFC 6962 §2.1 written out literally (MTH, PATH, PROOF/SUBPROOF over lists of entries), independent of the
/// library's code: no caching, no bit tricks, its own SHA-256 calls. Exponentially slow for nothing — O(n) per MTH —
/// and only used on small trees to cross-check the library.</summary>
internal static class ReferenceMerkle
{
    public static byte[] LeafHash(byte[] entry) => SHA256.HashData([0x00, .. entry]);

    public static byte[] NodeHash(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);

    public static byte[] Mth(IReadOnlyList<byte[]> d)
    {
        var n = d.Count;
        if (n == 0)
        {
            return SHA256.HashData(Array.Empty<byte>());
        }

        if (n == 1)
        {
            return LeafHash(d[0]);
        }

        var k = LargestPowerOfTwoBelow(n);
        return NodeHash(Mth(Slice(d, 0, k)), Mth(Slice(d, k, n)));
    }

    public static List<byte[]> Path(int m, IReadOnlyList<byte[]> d)
    {
        var n = d.Count;
        if (n == 1)
        {
            return [];
        }

        var k = LargestPowerOfTwoBelow(n);
        return m < k
            ? [.. Path(m, Slice(d, 0, k)), Mth(Slice(d, k, n))]
            : [.. Path(m - k, Slice(d, k, n)), Mth(Slice(d, 0, k))];
    }

    public static List<byte[]> Proof(int m, IReadOnlyList<byte[]> d) => m == 0 || m == d.Count ? [] : SubProof(m, d, true);

    /// <summary>The direction of each step of the audit path of leaf m: true when the sibling is on the left.
    /// Two sizes give the same path shape exactly when their directions are equal.</summary>
    public static List<bool> PathShape(long m, long n)
    {
        if (n == 1)
        {
            return [];
        }

        var k = LargestPowerOfTwoBelow(n);
        return m < k ? [.. PathShape(m, k), false] : [.. PathShape(m - k, n - k), true];
    }

    /// <summary>What each element of the consistency proof from m to n is, from the RFC recursion: 'S' the seed (a
    /// subtree of the old tree that is not its root), 'R' a right part (only in the new tree), 'L' a left part
    /// (shared by both trees). The verifier's computation is a function of this sequence alone.</summary>
    public static List<char> ConsistencyShape(long m, long n) => m == 0 || m == n ? [] : SubShape(m, n, true);

    private static List<char> SubShape(long m, long n, bool b)
    {
        if (m == n)
        {
            return b ? [] : ['S'];
        }

        var k = LargestPowerOfTwoBelow(n);
        return m <= k ? [.. SubShape(m, k, b), 'R'] : [.. SubShape(m - k, n - k, false), 'L'];
    }

    private static List<byte[]> SubProof(int m, IReadOnlyList<byte[]> d, bool b)
    {
        var n = d.Count;
        if (m == n)
        {
            return b ? [] : [Mth(d)];
        }

        var k = LargestPowerOfTwoBelow(n);
        return m <= k
            ? [.. SubProof(m, Slice(d, 0, k), b), Mth(Slice(d, k, n))]
            : [.. SubProof(m - k, Slice(d, k, n), false), Mth(Slice(d, 0, k))];
    }

    private static int LargestPowerOfTwoBelow(int n)
    {
        var k = 1;
        while (k * 2 < n)
        {
            k *= 2;
        }

        return k;
    }

    private static long LargestPowerOfTwoBelow(long n)
    {
        var k = 1L;
        while (k * 2 < n)
        {
            k *= 2;
        }

        return k;
    }

    private static byte[][] Slice(IReadOnlyList<byte[]> d, int from, int to) => d.Skip(from).Take(to - from).ToArray();
}
