namespace Warden.Statistics.Sketches;

/// <summary>
/// Counts on fixed bin edges e₀ &lt; e₁ &lt; … &lt; e_B, usually taken from the reference window so that every later
/// window is binned the same way. Bin i holds [e_i, e_{i+1}); the last bin is closed, [e_{B-1}, e_B], as in
/// numpy.histogram. Values below e₀ count as underflow and values above e_B as overflow, so nothing is dropped.
/// Merging adds counts and is exact.
/// </summary>
public sealed class FixedBinHistogram
{
    private readonly double[] _edges;
    private readonly long[] _counts;

    /// <summary>Creates an empty histogram.</summary>
    /// <param name="edges">At least two finite, strictly increasing edges.</param>
    public FixedBinHistogram(IReadOnlyList<double> edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        _edges = ValidateEdges(edges);
        _counts = new long[_edges.Length - 1];
    }

    /// <summary>The bin edges (B + 1 of them).</summary>
    public IReadOnlyList<double> Edges => _edges;

    /// <summary>The counts of the B bins.</summary>
    public IReadOnlyList<long> Counts => _counts;

    /// <summary>Values below the first edge.</summary>
    public long Underflow { get; private set; }

    /// <summary>Values above the last edge.</summary>
    public long Overflow { get; private set; }

    /// <summary>All values counted.</summary>
    public long Total { get; private set; }

    /// <summary>Underflow, the B bins, then overflow: the B + 2 cells the binned drift tests compare.</summary>
    /// <returns>A new array of B + 2 counts.</returns>
    public long[] CellCounts()
    {
        var cells = new long[_counts.Length + 2];
        cells[0] = Underflow;
        _counts.CopyTo(cells, 1);
        cells[^1] = Overflow;
        return cells;
    }

    /// <summary>Counts one value.</summary>
    /// <param name="value">A value that is not NaN.</param>
    public void Add(double value)
    {
        var cell = Cell(_edges.AsSpan(), value);
        if (cell == 0)
        {
            Underflow++;
        }
        else if (cell == _edges.Length)
        {
            Overflow++;
        }
        else
        {
            _counts[cell - 1]++;
        }

        Total++;
    }

    /// <summary>Adds another histogram's counts to this one.</summary>
    /// <param name="other">A histogram with exactly the same edges.</param>
    public void Merge(FixedBinHistogram other)
    {
        if (!HasSameEdges(other))
        {
            throw new ArgumentException("Histograms can only be merged when their bin edges are identical.", nameof(other));
        }

        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Underflow += other.Underflow;
        Overflow += other.Overflow;
        Total += other.Total;
    }

    /// <summary>Whether <paramref name="other"/> has exactly the same edges.</summary>
    /// <param name="other">Another histogram.</param>
    /// <returns>True when the edges are equal element by element.</returns>
    public bool HasSameEdges(FixedBinHistogram other) => _edges.AsSpan().SequenceEqual(other._edges);

    /// <summary>The cell of <paramref name="value"/> among the B + 2 cells: 0 underflow, 1..B the bins, B + 1 overflow.</summary>
    /// <param name="edges">Strictly increasing edges.</param>
    /// <param name="value">A value that is not NaN.</param>
    /// <returns>The cell index.</returns>
    public static int Cell(IReadOnlyList<double> edges, double value)
    {
        ArgumentNullException.ThrowIfNull(edges);
        return edges is double[] array ? Cell(array.AsSpan(), value) : Cell(edges.ToArray().AsSpan(), value);
    }

    // The cell of a value on validated edges (the hot path: one call per value and feature).
    private static int Cell(ReadOnlySpan<double> edges, double value)
    {
        if (double.IsNaN(value))
        {
            throw new ArgumentException("A histogram cannot count NaN; count it as missing instead.", nameof(value));
        }

        var last = edges.Length - 1;
        if (value < edges[0])
        {
            return 0;
        }

        if (value > edges[last])
        {
            return last + 1;
        }

        if (value == edges[last])
        {
            return last;
        }

        // The largest i with edges[i] <= value, so the bin [e_i, e_{i+1}) is cell i + 1.
        var lo = 0;
        var hi = last;
        while (hi - lo > 1)
        {
            var mid = (lo + hi) >>> 1;
            if (edges[mid] <= value)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return lo + 1;
    }

    internal static double[] ValidateEdges(IReadOnlyList<double> edges)
    {
        if (edges.Count < 2)
        {
            throw new ArgumentException("A histogram needs at least two bin edges.", nameof(edges));
        }

        var copy = new double[edges.Count];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = edges[i];
            if (!double.IsFinite(copy[i]))
            {
                throw new ArgumentException($"Bin edge {i} is not a finite number.", nameof(edges));
            }

            if (i > 0 && !(copy[i] > copy[i - 1]))
            {
                throw new ArgumentException($"Bin edges must increase strictly; edge {i} ({copy[i]}) does not.", nameof(edges));
            }
        }

        return copy;
    }

    internal HistogramState ToState() => new()
    {
        Edges = (double[])_edges.Clone(),
        Counts = (long[])_counts.Clone(),
        Underflow = Underflow,
        Overflow = Overflow,
    };

    internal static FixedBinHistogram FromState(HistogramState state)
    {
        if (state.Edges is null || state.Counts is null || state.Counts.Length != state.Edges.Length - 1)
        {
            throw new FormatException("A histogram needs B + 1 edges and B counts.");
        }

        FixedBinHistogram histogram;
        try
        {
            histogram = new FixedBinHistogram(state.Edges);
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }

        if (state.Underflow < 0 || state.Overflow < 0 || state.Counts.Any(c => c < 0))
        {
            throw new FormatException("Histogram counts cannot be negative.");
        }

        state.Counts.CopyTo(histogram._counts, 0);
        histogram.Underflow = state.Underflow;
        histogram.Overflow = state.Overflow;
        histogram.Total = state.Underflow + state.Overflow + state.Counts.Sum();
        return histogram;
    }
}
