using Warden.Statistics.Internal;

namespace Warden.Statistics.Drift;

/// <summary>
/// A numeric sample prepared once for exact-mode drift tests: its finite values, sorted ascending, and how many
/// values were missing (NaN, ±∞). Every exact-mode numeric test needs the sorted values (KS, Wasserstein, quantile bin
/// edges, binning), so a reference compared with many windows, or a window tested several ways, is sorted only once.
/// </summary>
public sealed class SortedSample
{
    private readonly double[] _values;

    private SortedSample(double[] values, int missing)
    {
        _values = values;
        Missing = missing;
    }

    /// <summary>The finite values, ascending.</summary>
    public ReadOnlySpan<double> Values => _values;

    /// <summary>The number of finite values.</summary>
    public int Count => _values.Length;

    /// <summary>Values dropped as missing (NaN, ±∞).</summary>
    public int Missing { get; }

    /// <summary>All values given, finite or missing.</summary>
    public int Rows => Count + Missing;

    /// <summary>Copies the finite values of a sample and sorts them (a radix sort on the IEEE 754 bits).</summary>
    /// <param name="values">The raw sample; NaN and ±∞ count as missing.</param>
    /// <returns>The prepared sample.</returns>
    public static SortedSample From(ReadOnlySpan<double> values)
    {
        var finite = new double[values.Length];
        var count = 0;
        foreach (var value in values)
        {
            if (double.IsFinite(value))
            {
                finite[count++] = value;
            }
        }

        if (count < finite.Length)
        {
            Array.Resize(ref finite, count);
        }

        DoubleSort.Sort(finite);
        return new SortedSample(finite, values.Length - count);
    }

    /// <summary>Distinct values in two sorted samples together, counted up to <paramref name="limit"/> (the count stops
    /// there, so a continuous feature costs a few comparisons).</summary>
    internal static int DistinctUpTo(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int limit)
    {
        int i = 0, j = 0, distinct = 0;
        while ((i < a.Length || j < b.Length) && distinct < limit)
        {
            var x = j >= b.Length || (i < a.Length && a[i] <= b[j]) ? a[i] : b[j];
            while (i < a.Length && a[i] <= x)
            {
                i++;
            }

            while (j < b.Length && b[j] <= x)
            {
                j++;
            }

            distinct++;
        }

        return distinct;
    }
}
