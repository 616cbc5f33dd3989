namespace Warden.Experimentation.Analysis;

/// <summary>
/// Capping (winsorizing) of per-unit values before aggregation, so that a few extreme units — a bot, a bulk buyer —
/// cannot dominate a mean and its variance. Caps are either a fixed value or a quantile of the pooled data.
/// </summary>
/// <remarks>
/// Capping happens on unit values, so it must be applied where the rows are (the server's aggregation), before the
/// sums become a <see cref="MeanStatistic"/>. Compute one cap from both arms together so that the arms are treated
/// alike. Quantiles use linear interpolation between order statistics (numpy's default, Hyndman–Fan type 7).
/// </remarks>
public static class Winsorizer
{
    /// <summary>The q-quantile of <paramref name="values"/> with linear interpolation (numpy.quantile's default method).</summary>
    public static double Quantile(ReadOnlySpan<double> values, double q)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("No values.", nameof(values));
        }
        if (!(q >= 0 && q <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "The quantile must lie in [0, 1].");
        }
        double[] sorted = values.ToArray();
        Array.Sort(sorted);
        int n = sorted.Length;
        // numpy's virtual index for the linear method, n·q + (1 − q) − 1, written the way numpy evaluates it.
        double index = n * q + (1 + q * (1 - 1 - 1)) - 1;
        if (index <= 0)
        {
            return sorted[0];
        }
        if (index >= n - 1)
        {
            return sorted[n - 1];
        }
        int below = (int)Math.Floor(index);
        double fraction = index - below;
        double a = sorted[below];
        double b = sorted[below + 1];
        double gap = b - a;
        return fraction >= 0.5 ? b - gap * (1 - fraction) : a + gap * fraction;
    }

    /// <summary>Each value clamped to [<paramref name="lower"/>, <paramref name="upper"/>].</summary>
    public static double[] Cap(ReadOnlySpan<double> values, double upper, double lower = double.NegativeInfinity)
    {
        if (lower > upper)
        {
            throw new ArgumentException("The lower cap exceeds the upper cap.", nameof(lower));
        }
        var capped = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            capped[i] = Math.Clamp(values[i], lower, upper);
        }
        return capped;
    }

    /// <summary>The sufficient statistics of the capped values.</summary>
    public static MeanStatistic CappedStatistic(ReadOnlySpan<double> values, double upper, double lower = double.NegativeInfinity) =>
        MeanStatistic.FromValues(Cap(values, upper, lower));
}
