using Warden.Statistics.Internal;
using Warden.Statistics.Sketches;

namespace Warden.Statistics.Drift;

/// <summary>A statistic estimated from sketches, with the bound that relates it to the exact value.</summary>
/// <param name="Value">The estimate.</param>
/// <param name="ErrorBound">|Value - exact| ≤ ErrorBound with probability at least <paramref name="Confidence"/>.</param>
/// <param name="Confidence">The probability that the bound holds (1 for deterministic bounds).</param>
public sealed record SketchEstimate(double Value, double ErrorBound, double Confidence);

/// <summary>
/// The first Wasserstein (earth mover's) distance between two one-dimensional empirical distributions,
/// W₁ = ∫ |F₁(x) - F₂(x)| dx, as <c>scipy.stats.wasserstein_distance(u, v)</c> computes it, and the variant
/// Evidently uses for drift: W₁ divided by the reference's population standard deviation (numpy.std, ddof 0),
/// floored at 0.001.
/// </summary>
public static class Wasserstein
{
    /// <summary>The floor of the normalizing standard deviation (as Evidently).</summary>
    public const double MinimumNormalizer = 0.001;

    /// <summary>W₁ between two raw samples.</summary>
    /// <param name="u">The first sample (no NaN).</param>
    /// <param name="v">The second sample (no NaN).</param>
    /// <returns>The distance, in the units of the data.</returns>
    public static double Distance(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        var a = SortedCopy(u, nameof(u));
        var b = SortedCopy(v, nameof(v));
        return Integrate(a, null, b, null);
    }

    /// <summary>W₁ between two samples already sorted ascending (no NaN, neither empty).</summary>
    internal static double SortedDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => Integrate(a, null, b, null);

    /// <summary>W₁ divided by max(std(reference), 0.001), with the population standard deviation.</summary>
    /// <param name="reference">The reference sample (no NaN).</param>
    /// <param name="current">The current sample (no NaN).</param>
    /// <returns>The normed distance (dimensionless).</returns>
    public static double NormedDistance(ReadOnlySpan<double> reference, ReadOnlySpan<double> current) =>
        Distance(reference, current) / Normalizer(PopulationStandardDeviation(reference));

    /// <summary>W₁ between the weighted empirical distributions of two KLL sketches.</summary>
    /// <param name="u">The first sketch.</param>
    /// <param name="v">The second sketch.</param>
    /// <param name="delta">Failure probability of each sketch's uniform CDF bound.</param>
    /// <returns>The estimate and its bound ε_u (max_u - min_u) + ε_v (max_v - min_v): each sketch's CDF differs
    /// from the true one by at most its ε, and only between that sample's exact minimum and maximum.</returns>
    public static SketchEstimate FromSketches(KllSketch u, KllSketch v, double delta = 1e-3)
    {
        if (u.Count == 0 || v.Count == 0)
        {
            throw new ArgumentException("The Wasserstein distance needs at least one value in each sketch.");
        }

        var x = u.View();
        var y = v.View();
        var distance = Integrate(x.Values, x.CumulativeWeights, y.Values, y.CumulativeWeights);
        var bound = u.CdfErrorBound(delta) * (u.Max - u.Min) + v.CdfErrorBound(delta) * (v.Max - v.Min);
        var confidence = u.IsExact && v.IsExact ? 1.0 : 1.0 - 2 * delta;
        return new SketchEstimate(distance, bound, confidence);
    }

    /// <summary>The normed distance from two numeric profiles: the sketch distance over the reference's exact
    /// population standard deviation (from its moments), with the bound scaled the same way.</summary>
    /// <param name="reference">The reference profile.</param>
    /// <param name="current">The current profile.</param>
    /// <param name="delta">Failure probability of each sketch's uniform CDF bound.</param>
    /// <returns>The estimate and its bound.</returns>
    public static SketchEstimate NormedFromProfiles(NumericProfile reference, NumericProfile current, double delta = 1e-3)
    {
        var raw = FromSketches(reference.Quantiles, current.Quantiles, delta);
        var normalizer = Normalizer(reference.PopulationStandardDeviation);
        return raw with { Value = raw.Value / normalizer, ErrorBound = raw.ErrorBound / normalizer };
    }

    internal static double Normalizer(double standardDeviation) => Math.Max(standardDeviation, MinimumNormalizer);

    internal static double PopulationStandardDeviation(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return double.NaN;
        }

        var mean = 0.0;
        foreach (var value in values)
        {
            mean += value;
        }

        mean /= values.Length;
        var sum = 0.0;
        foreach (var value in values)
        {
            sum += (value - mean) * (value - mean);
        }

        return Math.Sqrt(sum / values.Length);
    }

    /// <summary>∫|F_a - F_b| over the merged support: for each pair of consecutive distinct values, the CDF gap
    /// after the left value times the gap between them (SciPy's _cdf_distance with p = 1). Null weights mean one
    /// per value.</summary>
    private static double Integrate(ReadOnlySpan<double> a, long[]? aCumulative, ReadOnlySpan<double> b, long[]? bCumulative)
    {
        double na = aCumulative is null ? a.Length : aCumulative[^1];
        double nb = bCumulative is null ? b.Length : bCumulative[^1];
        var i = 0;
        var j = 0;
        var total = 0.0;
        while (i < a.Length || j < b.Length)
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

            if (i == a.Length && j == b.Length)
            {
                break;
            }

            var next = j >= b.Length || (i < a.Length && a[i] <= b[j]) ? a[i] : b[j];
            var fa = i == 0 ? 0.0 : (aCumulative is null ? i : aCumulative[i - 1]) / na;
            var fb = j == 0 ? 0.0 : (bCumulative is null ? j : bCumulative[j - 1]) / nb;
            total += Math.Abs(fa - fb) * (next - x);
        }

        return total;
    }

    private static double[] SortedCopy(ReadOnlySpan<double> values, string name)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("The Wasserstein distance needs at least one value in each sample.", name);
        }

        var copy = values.ToArray();
        foreach (var value in copy)
        {
            if (double.IsNaN(value))
            {
                throw new ArgumentException("The Wasserstein distance cannot use NaN; drop missing values first.", name);
            }
        }

        DoubleSort.Sort(copy);
        return copy;
    }
}
