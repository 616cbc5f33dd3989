using System.Security.Cryptography;

namespace Warden.Statistics.Internal;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): a tiny, fast generator whose whole state is one 64-bit word, so a
/// sketch can persist it and continue the same random sequence after a round trip through JSON.
/// It drives the coin flips of KLL compactions; it is not for anything secret.
/// </summary>
internal struct SplitMix64
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    public SplitMix64(ulong state) => State = state;

    public ulong State { get; private set; }

    /// <summary>A seed drawn from the operating system, so that independent sketches flip independent coins.</summary>
    public static ulong RandomSeed()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes);
    }

    public ulong Next()
    {
        State += Golden;
        return Mix(State);
    }

    /// <summary>A uniform double in [0, 1) from the top 53 bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / 9007199254740992.0);

    public bool NextBit() => (Next() >> 63) != 0;

    /// <summary>Combines two states into one that depends on both (used when two sketches merge).</summary>
    public static ulong Combine(ulong a, ulong b) => Mix(a ^ Mix(b + Golden));

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
