using System.Globalization;
using Warden.Statistics.Drift;

namespace Warden.Statistics.Fairness;

/// <summary>
/// Named buckets of a numeric attribute (e.g. age) from increasing edges e₁ &lt; … &lt; e_k, so that it can serve as
/// a group or a segment: k + 1 buckets (−∞, e₁), [e₁, e₂), …, [e_k, +∞), named "&lt;e₁", "e₁–e₂", …, "≥e_k". Each
/// bucket includes its lower edge and excludes its upper one, so edges [25, 40] give "&lt;25", "25–40" (25 ≤ x &lt;
/// 40) and "≥40". Numbers print in the invariant culture, shortest round-trip form ("0.5", "1E+21").
/// </summary>
public sealed class NumericBuckets
{
    private readonly double[] _edges;
    private readonly string[] _names;

    /// <summary>Creates buckets from edges.</summary>
    /// <param name="edges">At least one finite edge, strictly increasing.</param>
    public NumericBuckets(IReadOnlyList<double> edges)
    {
        if (edges.Count == 0)
        {
            throw new ArgumentException("Buckets need at least one edge.", nameof(edges));
        }

        _edges = [.. edges];
        for (var i = 0; i < _edges.Length; i++)
        {
            if (!double.IsFinite(_edges[i]) || (i > 0 && !(_edges[i] > _edges[i - 1])))
            {
                throw new ArgumentException($"Bucket edges must be finite and strictly increasing; edge {i} is {_edges[i]}.", nameof(edges));
            }
        }

        _names = new string[_edges.Length + 1];
        _names[0] = "<" + Format(_edges[0]);
        for (var i = 1; i < _edges.Length; i++)
        {
            _names[i] = Format(_edges[i - 1]) + "–" + Format(_edges[i]);
        }

        _names[^1] = "≥" + Format(_edges[^1]);
    }

    /// <summary>The edges.</summary>
    public IReadOnlyList<double> Edges => _edges;

    /// <summary>The bucket names, lowest first.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>Buckets at the interior quantiles 1/B, …, (B−1)/B of a reference sample (linear interpolation, as
    /// <see cref="BinEdges.FromQuantiles"/>; duplicate edges merge, so a skewed sample may give fewer buckets).</summary>
    /// <param name="reference">The reference sample (NaN and ±∞ ignored).</param>
    /// <param name="buckets">The number of buckets B, at least 2.</param>
    /// <returns>The buckets.</returns>
    public static NumericBuckets FromQuantiles(ReadOnlySpan<double> reference, int buckets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 2);
        var edges = BinEdges.FromQuantiles(reference, buckets);
        var interior = edges.AsSpan(1, Math.Max(edges.Length - 2, 0)).ToArray();
        if (interior.Length == 0)
        {
            throw new ArgumentException("Quantile buckets need a reference with at least two distinct values.", nameof(reference));
        }

        return new NumericBuckets(interior);
    }

    /// <summary>The index of the bucket of a value, or −1 for NaN (missing).</summary>
    /// <param name="value">The value; ±∞ fall in the outer buckets.</param>
    /// <returns>The index into <see cref="Names"/>.</returns>
    public int IndexOf(double value)
    {
        if (double.IsNaN(value))
        {
            return -1;
        }

        // The number of edges ≤ value.
        int lo = 0, hi = _edges.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_edges[mid] <= value)
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

    /// <summary>The name of the bucket of a value, or null for NaN or a null value (missing).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The bucket's name.</returns>
    public string? NameOf(double? value) => value is { } v && IndexOf(v) is var i and >= 0 ? _names[i] : null;

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
