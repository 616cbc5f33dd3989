using Warden.Statistics.Sketches;

namespace Warden.Statistics.Drift;

/// <summary>
/// Bin edges for the binned drift measures (PSI, Jensen–Shannon, Hellinger on numeric features), always taken from
/// the reference alone, so that every window is compared on the same cells. Values outside the edges fall in an
/// underflow or overflow cell (see <see cref="FixedBinHistogram"/>), so nothing is silently dropped.
/// </summary>
public static class BinEdges
{
    /// <summary>The default number of bins (deciles of the reference).</summary>
    public const int DefaultBins = 10;

    /// <summary>Edges at the reference's quantiles 0, 1/B, …, 1 (linear interpolation, numpy's default), with
    /// duplicates removed; a constant reference v gives [v, next double after v].</summary>
    /// <param name="reference">The reference sample (NaN and ±∞ are ignored).</param>
    /// <param name="bins">The number of bins B before duplicates are removed.</param>
    /// <returns>Strictly increasing edges.</returns>
    public static double[] FromQuantiles(ReadOnlySpan<double> reference, int bins = DefaultBins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var sample = SortedSample.From(reference);
        if (sample.Count == 0)
        {
            throw new ArgumentException("Bin edges need at least one finite reference value.", nameof(reference));
        }

        return FromSortedQuantiles(sample.Values, bins);
    }

    /// <summary><see cref="FromQuantiles"/> on finite values already sorted ascending.</summary>
    internal static double[] FromSortedQuantiles(ReadOnlySpan<double> sorted, int bins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (sorted.Length == 0)
        {
            throw new ArgumentException("Bin edges need at least one finite reference value.", nameof(sorted));
        }

        var edges = new double[bins + 1];
        for (var i = 0; i <= bins; i++)
        {
            var position = (double)i / bins * (sorted.Length - 1);
            var lo = (int)Math.Floor(position);
            var hi = Math.Min(lo + 1, sorted.Length - 1);
            var fraction = position - lo;
            edges[i] = sorted[lo] + fraction * (sorted[hi] - sorted[lo]);
        }

        return Deduplicate(edges);
    }

    /// <summary>Edges at the quantiles 0, 1/B, …, 1 of a reference sketch (its exact minimum and maximum at the
    /// ends), with duplicates removed.</summary>
    /// <param name="reference">The reference sketch.</param>
    /// <param name="bins">The number of bins B before duplicates are removed.</param>
    /// <returns>Strictly increasing edges.</returns>
    public static double[] FromSketch(KllSketch reference, int bins = DefaultBins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (reference.Count == 0)
        {
            throw new ArgumentException("Bin edges need a non-empty reference sketch.", nameof(reference));
        }

        var edges = new double[bins + 1];
        for (var i = 0; i <= bins; i++)
        {
            edges[i] = reference.Quantile((double)i / bins);
        }

        return Deduplicate(edges);
    }

    /// <summary>B equal-width bins between <paramref name="min"/> and <paramref name="max"/>.</summary>
    /// <param name="min">The lower edge.</param>
    /// <param name="max">The upper edge, greater than min.</param>
    /// <param name="bins">The number of bins.</param>
    /// <returns>B + 1 edges.</returns>
    public static double[] EqualWidth(double min, double max, int bins = DefaultBins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        if (!double.IsFinite(min) || !double.IsFinite(max) || !(max > min))
        {
            throw new ArgumentException("Equal-width bins need finite bounds with max > min.");
        }

        var edges = new double[bins + 1];
        for (var i = 0; i <= bins; i++)
        {
            edges[i] = i == bins ? max : min + (max - min) * i / bins;
        }

        return Deduplicate(edges);
    }

    /// <summary>Counts of <paramref name="values"/> in the B + 2 cells of <paramref name="edges"/>: underflow, the
    /// B bins, overflow (NaN and ±∞ are skipped as missing).</summary>
    /// <param name="values">The sample.</param>
    /// <param name="edges">Strictly increasing edges.</param>
    /// <returns>B + 2 counts.</returns>
    public static double[] CellCounts(ReadOnlySpan<double> values, IReadOnlyList<double> edges)
    {
        var checkedEdges = FixedBinHistogram.ValidateEdges(edges);
        var counts = new double[checkedEdges.Length + 1];
        foreach (var value in values)
        {
            if (double.IsFinite(value))
            {
                counts[FixedBinHistogram.Cell(checkedEdges, value)]++;
            }
        }

        return counts;
    }

    /// <summary><see cref="CellCounts"/> of finite values already sorted ascending, by binary search for each edge
    /// (O(B log n) rather than O(n log B)); the cells are the same.</summary>
    internal static double[] SortedCellCounts(ReadOnlySpan<double> sorted, IReadOnlyList<double> edges)
    {
        var e = FixedBinHistogram.ValidateEdges(edges);
        var last = e.Length - 1;
        var counts = new double[e.Length + 1];
        var below = LowerBound(sorted, e[0]);
        counts[0] = below;
        for (var i = 1; i < last; i++)
        {
            var next = LowerBound(sorted, e[i]);
            counts[i] = next - below;
            below = next;
        }

        var upTo = UpperBound(sorted, e[last]); // the last bin is closed
        counts[last] = upTo - below;
        counts[last + 1] = sorted.Length - upTo;
        return counts;
    }

    private static int LowerBound(ReadOnlySpan<double> sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static int UpperBound(ReadOnlySpan<double> sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static double[] Deduplicate(double[] edges)
    {
        var unique = new List<double>(edges.Length);
        foreach (var edge in edges)
        {
            if (unique.Count == 0 || edge > unique[^1])
            {
                unique.Add(edge);
            }
        }

        if (unique.Count == 1)
        {
            unique.Add(Math.BitIncrement(unique[0]));
        }

        return [.. unique];
    }
}
