using Warden.Statistics.Internal;
using Warden.Statistics.Sketches;

namespace Warden.Statistics.Drift;

/// <summary>How a two-sample Kolmogorov–Smirnov p-value was computed.</summary>
public enum KsPValueMethod
{
    /// <summary>The exact null distribution (lattice-path counting; Hodges 1958, Viehmann 2021).</summary>
    Exact,

    /// <summary>The one-sample distribution of D_n at n = round(n₁n₂/(n₁+n₂)) (SciPy's kstwo).</summary>
    Asymptotic,
}

/// <summary>A two-sample Kolmogorov–Smirnov result on raw samples.</summary>
/// <param name="Statistic">D = sup |F₁ - F₂| (in exact mode rounded to the lattice h / lcm(n₁, n₂), as SciPy does).</param>
/// <param name="PValue">The two-sided p-value.</param>
/// <param name="Method">Which null distribution gave the p-value.</param>
public sealed record KolmogorovSmirnovResult(double Statistic, double PValue, KsPValueMethod Method);

/// <summary>A two-sample Kolmogorov–Smirnov result computed from two KLL sketches.</summary>
/// <param name="Statistic">D̂ = sup |F̂₁ - F̂₂| over the sketches' retained values.</param>
/// <param name="ErrorBound">ε₁ + ε₂: |D̂ - D| ≤ ErrorBound with probability at least <paramref name="Confidence"/>.</param>
/// <param name="PValue">The p-value of D̂ for sample sizes n₁ and n₂ (same method choice as on raw samples).</param>
/// <param name="PValueLower">The p-value at D̂ + ε (the smallest p-value consistent with the bound).</param>
/// <param name="PValueUpper">The p-value at D̂ - ε (the largest p-value consistent with the bound).</param>
/// <param name="Confidence">1 - 2δ, or 1 when both sketches are still exact.</param>
public sealed record KolmogorovSmirnovSketchResult(
    double Statistic, double ErrorBound, double PValue, double PValueLower, double PValueUpper, double Confidence);

/// <summary>
/// The two-sample Kolmogorov–Smirnov test, two-sided, matching <c>scipy.stats.ks_2samp(a, b)</c> with its default
/// <c>method='auto'</c>: the exact null distribution when both samples have at most 10,000 values, the asymptotic
/// one otherwise, and the asymptotic one as a fallback when the exact computation fails.
/// </summary>
public static class KolmogorovSmirnov
{
    /// <summary>SciPy's MAX_AUTO_N: the largest sample size for which 'auto' tries the exact distribution.</summary>
    public const int MaxExactSampleSize = 10_000;

    /// <summary>The statistic and p-value of two raw samples.</summary>
    /// <param name="reference">The first sample (no NaN).</param>
    /// <param name="current">The second sample (no NaN).</param>
    /// <returns>The statistic, p-value and the method used.</returns>
    public static KolmogorovSmirnovResult TwoSample(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        var a = SortedCopy(reference, nameof(reference));
        var b = SortedCopy(current, nameof(current));
        return FromStatistic(Statistic(a, b), a.Length, b.Length);
    }

    /// <summary>D = sup |F₁(x) - F₂(x)| of two sorted samples, evaluated at every observed value.</summary>
    /// <param name="a">The first sample, sorted ascending.</param>
    /// <param name="b">The second sample, sorted ascending.</param>
    /// <returns>The statistic.</returns>
    public static double Statistic(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var n1 = a.Length;
        var n2 = b.Length;
        var i = 0;
        var j = 0;
        var maxDifference = 0.0;
        var minDifference = 0.0;
        while (i < n1 || j < n2)
        {
            var x = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
            while (i < n1 && a[i] <= x)
            {
                i++;
            }

            while (j < n2 && b[j] <= x)
            {
                j++;
            }

            // As SciPy: searchsorted(side='right') / n for each sample, then the difference.
            var difference = (double)i / n1 - (double)j / n2;
            maxDifference = Math.Max(maxDifference, difference);
            minDifference = Math.Min(minDifference, difference);
        }

        var minS = Math.Clamp(-minDifference, 0, 1);
        return minS > maxDifference ? minS : maxDifference;
    }

    /// <summary>The p-value of a statistic for two samples of the given sizes, chosen as ks_2samp's 'auto' does.</summary>
    /// <param name="statistic">D, in [0, 1].</param>
    /// <param name="n1">The size of the first sample.</param>
    /// <param name="n2">The size of the second sample.</param>
    /// <returns>The (possibly lattice-rounded) statistic, its p-value and the method.</returns>
    public static KolmogorovSmirnovResult FromStatistic(double statistic, long n1, long n2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n1, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(n2, 1);
        if (!(statistic >= 0 && statistic <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(statistic), statistic, "The KS statistic lies in [0, 1].");
        }

        if (Math.Max(n1, n2) <= MaxExactSampleSize)
        {
            var (success, rounded, probability) = AttemptExact(n1, n2, statistic);
            if (success)
            {
                return new KolmogorovSmirnovResult(rounded, Math.Clamp(probability, 0, 1), KsPValueMethod.Exact);
            }

            statistic = rounded;
        }

        double m = Math.Max(n1, n2), n = Math.Min(n1, n2);
        var en = m * n / (m + n);
        var effective = (int)Math.Min(Math.Round(en, MidpointRounding.ToEven), int.MaxValue);
        var p = KolmogorovDistribution.Sf(Math.Max(effective, 1), statistic);
        return new KolmogorovSmirnovResult(statistic, Math.Clamp(p, 0, 1), KsPValueMethod.Asymptotic);
    }

    /// <summary>The KS test from two KLL sketches (e.g. the quantile sketches of two numeric profiles).</summary>
    /// <param name="reference">The reference sketch.</param>
    /// <param name="current">The current sketch.</param>
    /// <param name="delta">Failure probability of each sketch's uniform CDF bound.</param>
    /// <returns>D̂, its error bound, and p-values at D̂ and at the ends of the bound.</returns>
    public static KolmogorovSmirnovSketchResult FromSketches(KllSketch reference, KllSketch current, double delta = 1e-3)
    {
        if (reference.Count == 0 || current.Count == 0)
        {
            throw new ArgumentException("The KS test needs at least one value in each sketch.");
        }

        var x = reference.View();
        var y = current.View();
        double n1 = reference.Count, n2 = current.Count;
        var i = 0;
        var j = 0;
        var statistic = 0.0;
        while (i < x.Values.Length || j < y.Values.Length)
        {
            var v = j >= y.Values.Length || (i < x.Values.Length && x.Values[i] <= y.Values[j]) ? x.Values[i] : y.Values[j];
            while (i < x.Values.Length && x.Values[i] <= v)
            {
                i++;
            }

            while (j < y.Values.Length && y.Values[j] <= v)
            {
                j++;
            }

            var f1 = i == 0 ? 0.0 : x.CumulativeWeights[i - 1] / n1;
            var f2 = j == 0 ? 0.0 : y.CumulativeWeights[j - 1] / n2;
            statistic = Math.Max(statistic, Math.Abs(f1 - f2));
        }

        var bound = reference.CdfErrorBound(delta) + current.CdfErrorBound(delta);
        var confidence = reference.IsExact && current.IsExact ? 1.0 : 1.0 - 2 * delta;
        var p = FromStatistic(statistic, reference.Count, current.Count).PValue;
        var pLower = FromStatistic(Math.Min(1.0, statistic + bound), reference.Count, current.Count).PValue;
        var pUpper = FromStatistic(Math.Max(0.0, statistic - bound), reference.Count, current.Count).PValue;
        return new KolmogorovSmirnovSketchResult(statistic, bound, p, Math.Min(pLower, p), Math.Max(pUpper, p), confidence);
    }

    private static double[] SortedCopy(ReadOnlySpan<double> values, string name)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("The KS test needs at least one value in each sample.", name);
        }

        var copy = values.ToArray();
        foreach (var value in copy)
        {
            if (double.IsNaN(value))
            {
                throw new ArgumentException("The KS test cannot rank NaN; drop missing values first.", name);
            }
        }

        DoubleSort.Sort(copy);
        return copy;
    }

    /// <summary>SciPy's _attempt_exact_2kssamp for the two-sided alternative.</summary>
    private static (bool Success, double Statistic, double Probability) AttemptExact(long n1, long n2, double d)
    {
        var g = Gcd(n1, n2);
        var lcm = n1 / g * n2;
        var h = (long)Math.Round(d * lcm, MidpointRounding.ToEven);
        d = h * 1.0 / lcm;
        if (h == 0)
        {
            return (true, d, 1.0);
        }

        var probability = n1 == n2 ? ProbabilityOutsideSquare(n1, h) : OuterProbabilityInsideMethod(n1, n2, g, h);
        if (double.IsNaN(probability) || double.IsInfinity(probability) || !(probability >= 0 && probability <= 1))
        {
            return (false, d, probability);
        }

        return (true, d, probability);
    }

    /// <summary>Pr(D_{n,n} ≥ h/n) = 2 Σ_k (-1)^k C(2n, n - kh) / C(2n, n), evaluated as a Horner-like product to
    /// avoid cancellation (SciPy's _compute_prob_outside_square).</summary>
    private static double ProbabilityOutsideSquare(long n, long h)
    {
        var p = 0.0;
        var k = n / h;
        while (k >= 0)
        {
            var p1 = 1.0;
            for (long j = 0; j < h; j++)
            {
                p1 = (n - k * h - j) * p1 / (n + k * h + j + 1);
            }

            p = p1 * (1.0 - p);
            k--;
        }

        return 2 * p;
    }

    /// <summary>The proportion of lattice paths from (0, 0) to (m, n) that leave the band |x/m - y/n| &lt; h/lcm,
    /// computed directly as a probability column by column (SciPy's _compute_outer_prob_inside_method, after
    /// Hodges 1958 and Viehmann 2021).</summary>
    private static double OuterProbabilityInsideMethod(long m, long n, long g, long h)
    {
        if (m < n)
        {
            (m, n) = (n, m);
        }

        var mg = m / g;
        var ng = n / g;
        var minJ = 0L;
        var maxJ = Math.Min((long)Math.Ceiling(h / (double)mg), n + 1);
        var currentLength = maxJ - minJ;
        var lengthA = Math.Min(2 * maxJ + 2, n + 1);
        var a = new double[lengthA];
        Array.Fill(a, 1.0);
        Array.Clear(a, (int)minJ, (int)Math.Min(maxJ, lengthA));
        for (long i = 1; i <= m; i++)
        {
            var lastMinJ = minJ;
            var lastLength = currentLength;
            minJ = Math.Max((long)Math.Floor((ng * i - h) / (double)mg) + 1, 0);
            minJ = Math.Min(minJ, n);
            maxJ = Math.Min((long)Math.Ceiling((ng * i + h) / (double)mg), n + 1);
            if (maxJ <= minJ)
            {
                return 1.0;
            }

            var value = minJ == 0 ? 0.0 : 1.0;
            for (var jj = 0L; jj < maxJ - minJ; jj++)
            {
                var j = jj + minJ;
                value = (a[jj + minJ - lastMinJ] * i + value * j) / (i + j);
                a[jj] = value;
            }

            currentLength = maxJ - minJ;
            if (lastLength > currentLength)
            {
                var from = maxJ - minJ;
                var to = Math.Min(from + (lastLength - currentLength), lengthA);
                for (var index = from; index < to; index++)
                {
                    a[index] = 1.0;
                }
            }
        }

        return a[maxJ - minJ - 1];
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
