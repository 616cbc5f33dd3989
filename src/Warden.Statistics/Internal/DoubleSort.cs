using System.Buffers;

namespace Warden.Statistics.Internal;

/// <summary>
/// Sorts doubles ascending with a least-significant-digit radix sort on their IEEE 754 bits (six passes of 11 bits),
/// about four times faster than <see cref="MemoryExtensions.Sort{T}(Span{T})"/> on a million values; small spans use
/// the built-in introsort. The input must hold no NaN (callers drop missing values first). −0.0 sorts before +0.0,
/// which the tests that consume sorted samples treat as equal.
/// </summary>
internal static class DoubleSort
{
    private const int RadixThreshold = 2048;
    private const int DigitBits = 11;
    private const int Buckets = 1 << DigitBits;
    private const int Passes = 6; // 6 × 11 ≥ 64
    private const ulong SignBit = 0x8000_0000_0000_0000UL;

    public static void Sort(Span<double> values)
    {
        var n = values.Length;
        if (n < RadixThreshold)
        {
            values.Sort();
            return;
        }

        var keys = ArrayPool<ulong>.Shared.Rent(n);
        var buffer = ArrayPool<ulong>.Shared.Rent(n);
        try
        {
            var counts = new int[Passes * Buckets];
            var source = keys.AsSpan(0, n);
            for (var i = 0; i < n; i++)
            {
                var key = ToKey(values[i]);
                source[i] = key;
                for (var p = 0; p < Passes; p++)
                {
                    counts[(p * Buckets) + (int)((key >> (p * DigitBits)) & (Buckets - 1))]++;
                }
            }

            var target = buffer.AsSpan(0, n);
            for (var p = 0; p < Passes; p++)
            {
                var histogram = counts.AsSpan(p * Buckets, Buckets);
                if (histogram[(int)((source[0] >> (p * DigitBits)) & (Buckets - 1))] == n)
                {
                    continue; // every key has the same digit here: the pass would not move anything
                }

                var offset = 0;
                for (var b = 0; b < Buckets; b++)
                {
                    var count = histogram[b];
                    histogram[b] = offset;
                    offset += count;
                }

                var shift = p * DigitBits;
                foreach (var key in source)
                {
                    target[histogram[(int)((key >> shift) & (Buckets - 1))]++] = key;
                }

                var swap = source;
                source = target;
                target = swap;
            }

            for (var i = 0; i < n; i++)
            {
                values[i] = FromKey(source[i]);
            }
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(keys);
            ArrayPool<ulong>.Shared.Return(buffer);
        }
    }

    /// <summary>Bits whose unsigned order is the numeric order: flip every bit of a negative, the sign of a positive.</summary>
    private static ulong ToKey(double value)
    {
        var bits = BitConverter.DoubleToUInt64Bits(value);
        return bits ^ ((ulong)((long)bits >> 63) | SignBit);
    }

    private static double FromKey(ulong key) => BitConverter.UInt64BitsToDouble(key ^ (((key >> 63) - 1) | SignBit));
}
