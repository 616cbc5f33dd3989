using Warden.Statistics.Drift;
using Warden.Statistics.Internal;

namespace Warden.Statistics.Tests;

public sealed class SortedSampleTests
{
    [Theory]
    [InlineData(10)]
    [InlineData(5000)]
    [InlineData(100_000)]
    public void Radix_sort_orders_like_array_sort(int n)
    {
        var random = new Random(n);
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = (i % 7) switch
            {
                0 => Math.Round(random.NextDouble() * 10 - 5, 1), // ties, negatives
                1 => double.PositiveInfinity,
                2 => double.NegativeInfinity,
                3 => 0.0,
                4 => double.Epsilon * random.Next(-3, 4), // subnormals around zero
                _ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-300, 300)),
            };
        }

        var expected = (double[])values.Clone();
        Array.Sort(expected);
        DoubleSort.Sort(values);
        Assert.Equal(expected, values);
    }

    [Fact]
    public void Sorted_sample_drops_missing_values_and_sorts_the_rest()
    {
        var sample = SortedSample.From([3.0, double.NaN, -1.0, double.PositiveInfinity, 2.0]);
        Assert.Equal([-1.0, 2.0, 3.0], sample.Values.ToArray());
        Assert.Equal(2, sample.Missing);
        Assert.Equal(5, sample.Rows);
    }

    [Fact]
    public void Cells_counted_on_sorted_values_equal_the_histogram_cells()
    {
        var random = new Random(3);
        var values = Enumerable.Range(0, 20_000).Select(_ => Math.Round(random.NextDouble() * 12 - 1, 2)).ToArray();
        double[] edges = [0.0, 0.5, 2.5, 2.51, 7.0, 10.0];
        var sorted = SortedSample.From(values);
        Assert.Equal(BinEdges.CellCounts(values, edges), BinEdges.SortedCellCounts(sorted.Values, edges));
    }

    [Fact]
    public void Analyzer_on_sorted_samples_equals_the_analyzer_on_raw_samples()
    {
        var random = new Random(9);
        var reference = Enumerable.Range(0, 3000).Select(_ => random.NextDouble()).ToArray();
        var current = Enumerable.Range(0, 2000).Select(_ => random.NextDouble() + 0.05).ToArray();
        var r = SortedSample.From(reference);
        var c = SortedSample.From(current);
        foreach (var method in Enum.GetValues<DriftMethod>().Where(m => m != DriftMethod.ZTest))
        {
            var options = new FeatureDriftOptions { Method = method };
            Assert.Equal(DriftAnalyzer.Numeric("x", reference, current, options), DriftAnalyzer.Numeric("x", r, c, options));
        }
    }
}
