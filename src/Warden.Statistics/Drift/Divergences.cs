namespace Warden.Statistics.Drift;

/// <summary>
/// The population stability index on two count (or weight) vectors over the same cells:
/// PSI = Σ (q_i - p_i) ln(q_i / p_i), where p and q are the reference and current proportions.
/// </summary>
/// <remarks>
/// An empty cell would make the logarithm infinite; as Evidently does, a proportion of exactly zero is replaced by
/// <see cref="DefaultEpsilon"/> (1e-4), without renormalising the others. Cells empty on both sides contribute 0.
/// Common reading: below 0.1 stable, 0.1–0.25 some shift, above 0.25 significant shift.
/// </remarks>
public static class PopulationStabilityIndex
{
    /// <summary>The proportion substituted for an empty cell.</summary>
    public const double DefaultEpsilon = 1e-4;

    /// <summary>Computes the PSI.</summary>
    /// <param name="reference">Reference counts per cell (non-negative, positive total).</param>
    /// <param name="current">Current counts over the same cells.</param>
    /// <param name="epsilon">The proportion used for an empty cell, in (0, 1).</param>
    /// <returns>The index, ≥ 0.</returns>
    public static double Compute(ReadOnlySpan<double> reference, ReadOnlySpan<double> current, double epsilon = DefaultEpsilon)
    {
        if (!(epsilon > 0 && epsilon < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "The empty-cell proportion must lie in (0, 1).");
        }

        var (referenceTotal, currentTotal) = Distributions.Totals(reference, current);
        var psi = 0.0;
        for (var i = 0; i < reference.Length; i++)
        {
            var p = reference[i] / referenceTotal;
            var q = current[i] / currentTotal;
            p = p == 0 ? epsilon : p;
            q = q == 0 ? epsilon : q;
            psi += (q - p) * Math.Log(q / p);
        }

        return psi;
    }
}

/// <summary>
/// The Jensen–Shannon distance, as <c>scipy.spatial.distance.jensenshannon(p, q, base)</c>: both vectors are
/// normalised to sum to 1, m = (p + q)/2, and the distance is √((KL(p‖m) + KL(q‖m)) / 2), with natural logarithms
/// unless a base is given. It lies in [0, √ln 2] in nats and in [0, 1] in base 2.
/// </summary>
public static class JensenShannon
{
    /// <summary>Computes the distance.</summary>
    /// <param name="p">Counts or weights (non-negative, positive total).</param>
    /// <param name="q">Counts or weights over the same cells.</param>
    /// <param name="logBase">The logarithm's base (e.g. 2), or null for natural logarithms.</param>
    /// <returns>The distance.</returns>
    public static double Distance(ReadOnlySpan<double> p, ReadOnlySpan<double> q, double? logBase = null)
    {
        if (logBase is { } b && !(b > 0 && b != 1 && double.IsFinite(b)))
        {
            throw new ArgumentOutOfRangeException(nameof(logBase), b, "The logarithm's base must be positive and not 1.");
        }

        var (pTotal, qTotal) = Distributions.Totals(p, q);
        var left = 0.0;
        var right = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            var pi = p[i] / pTotal;
            var qi = q[i] / qTotal;
            var m = (pi + qi) / 2.0;
            left += RelativeEntropy(pi, m);
            right += RelativeEntropy(qi, m);
        }

        var js = left + right;
        if (logBase is { } logB)
        {
            js /= Math.Log(logB);
        }

        // Rounding can leave a tiny negative sum for identical inputs; the distance is then 0.
        return Math.Sqrt(Math.Max(js, 0.0) / 2.0);
    }

    /// <summary>SciPy's rel_entr(x, y) = x ln(x / y), with 0 ln 0 = 0.</summary>
    private static double RelativeEntropy(double x, double y) => x > 0 ? x * Math.Log(x / y) : 0.0;
}

/// <summary>
/// The Hellinger distance between two discrete distributions, H = √(Σ (√p_i - √q_i)²) / √2 after normalising
/// both vectors to sum to 1; it lies in [0, 1] and satisfies H² ≤ TV ≤ √2 H (TV the total variation distance).
/// </summary>
public static class Hellinger
{
    /// <summary>Computes the distance.</summary>
    /// <param name="p">Counts or weights (non-negative, positive total).</param>
    /// <param name="q">Counts or weights over the same cells.</param>
    /// <returns>The distance, in [0, 1].</returns>
    public static double Distance(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        var (pTotal, qTotal) = Distributions.Totals(p, q);
        var sum = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            var d = Math.Sqrt(p[i] / pTotal) - Math.Sqrt(q[i] / qTotal);
            sum += d * d;
        }

        return Math.Min(1.0, Math.Sqrt(sum / 2.0));
    }
}

internal static class Distributions
{
    /// <summary>Validates two aligned count vectors and returns their totals.</summary>
    public static (double First, double Second) Totals(ReadOnlySpan<double> first, ReadOnlySpan<double> second)
    {
        if (first.Length != second.Length)
        {
            throw new ArgumentException($"The two count vectors must have the same cells; they have {first.Length} and {second.Length}.");
        }

        return (Total(first), Total(second));
    }

    private static double Total(ReadOnlySpan<double> counts)
    {
        var total = 0.0;
        foreach (var count in counts)
        {
            if (!(count >= 0) || double.IsInfinity(count))
            {
                throw new ArgumentException("Counts must be finite and non-negative.");
            }

            total += count;
        }

        if (!(total > 0))
        {
            throw new ArgumentException("A count vector must have a positive total.");
        }

        return total;
    }
}
