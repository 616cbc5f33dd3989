namespace Warden.Statistics.Tests;

/// <summary>Seeded random data for the property tests: every trial is reproducible from its seed.</summary>
internal static class TestData
{
    /// <summary>Slack for comparing a bound with an error when the error can equal the bound exactly (the
    /// deterministic KLL bound is attained), so the two differ only by rounding.</summary>
    public const double Rounding = 1e-12;

    public static double Normal(Random random)
    {
        // Box–Muller.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>One of several shapes, chosen by <paramref name="shape"/>: normal, lognormal, heavy ties,
    /// sorted ascending (an adversarial order for sketches), sorted descending, uniform.</summary>
    public static double[] Sample(Random random, int n, int shape, double shift = 0, double scale = 1)
    {
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = (shape % 6) switch
            {
                0 => Normal(random),
                1 => Math.Exp(Normal(random)),
                2 => random.Next(0, 40),
                5 => random.NextDouble(),
                _ => Normal(random),
            };
            values[i] = shift + scale * values[i];
        }

        if (shape % 6 == 3)
        {
            Array.Sort(values);
        }
        else if (shape % 6 == 4)
        {
            Array.Sort(values);
            Array.Reverse(values);
        }

        return values;
    }

    /// <summary>The exact empirical CDF of a sorted sample at x.</summary>
    public static double Cdf(double[] sorted, double x)
    {
        var lo = 0;
        var hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return (double)lo / sorted.Length;
    }

    /// <summary>The number of values strictly below x in a sorted sample.</summary>
    public static int CountBelow(double[] sorted, double x)
    {
        var lo = 0;
        var hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < x)
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

    /// <summary>Splits values into 1..maxParts contiguous non-empty (unless too few values) parts at random.</summary>
    public static List<double[]> Split(Random random, double[] values, int maxParts)
    {
        var parts = random.Next(1, maxParts + 1);
        var cuts = Enumerable.Range(0, parts - 1).Select(_ => random.Next(0, values.Length + 1)).Order().ToList();
        cuts.Insert(0, 0);
        cuts.Add(values.Length);
        var result = new List<double[]>();
        for (var i = 0; i + 1 < cuts.Count; i++)
        {
            result.Add(values[cuts[i]..cuts[i + 1]]);
        }

        return result;
    }
}
