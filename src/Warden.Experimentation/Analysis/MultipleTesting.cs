namespace Warden.Experimentation.Analysis;

/// <summary>
/// Adjusted p-values for many metrics or variations tested at once, in the input order
/// (statsmodels multipletests: "bonferroni", "holm", "fdr_bh").
/// </summary>
/// <remarks>
/// Holm–Bonferroni controls the family-wise error rate (the chance of any false positive) and is uniformly more
/// powerful than Bonferroni: sorted ascending, p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1) p₍ⱼ₎).
/// Benjamini–Hochberg controls the false discovery rate (the expected share of false positives among discoveries)
/// for independent or positively dependent tests: p̃₍ᵢ₎ = min_{j ≥ i} min(1, m p₍ⱼ₎ / j).
/// </remarks>
public static class MultipleTesting
{
    /// <summary>Bonferroni: min(1, m·p).</summary>
    public static double[] Bonferroni(IReadOnlyList<double> pValues)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        var adjusted = new double[pValues.Count];
        for (int i = 0; i < adjusted.Length; i++)
        {
            adjusted[i] = Math.Min(1, pValues[i] * pValues.Count);
        }
        return adjusted;
    }

    /// <summary>Holm–Bonferroni step-down adjusted p-values.</summary>
    public static double[] Holm(IReadOnlyList<double> pValues)
    {
        int[] order = SortedOrder(pValues);
        int m = order.Length;
        var adjusted = new double[m];
        double running = 0;
        for (int rank = 0; rank < m; rank++)
        {
            running = Math.Max(running, (m - rank) * pValues[order[rank]]);
            adjusted[order[rank]] = Math.Min(1, running);
        }
        return adjusted;
    }

    /// <summary>Benjamini–Hochberg step-up adjusted p-values (q-values).</summary>
    public static double[] BenjaminiHochberg(IReadOnlyList<double> pValues)
    {
        int[] order = SortedOrder(pValues);
        int m = order.Length;
        var adjusted = new double[m];
        double running = double.PositiveInfinity;
        for (int rank = m - 1; rank >= 0; rank--)
        {
            running = Math.Min(running, pValues[order[rank]] * m / (rank + 1));
            adjusted[order[rank]] = Math.Min(1, running);
        }
        return adjusted;
    }

    private static int[] SortedOrder(IReadOnlyList<double> pValues)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        var order = new int[pValues.Count];
        for (int i = 0; i < order.Length; i++)
        {
            if (!(pValues[i] >= 0 && pValues[i] <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(pValues), pValues[i], "p-values must lie in [0, 1].");
            }
            order[i] = i;
        }
        Array.Sort(order, (a, b) => pValues[a] != pValues[b] ? pValues[a].CompareTo(pValues[b]) : a.CompareTo(b));
        return order;
    }
}
