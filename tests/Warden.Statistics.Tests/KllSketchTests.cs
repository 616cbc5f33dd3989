using Warden.Statistics.Sketches;
using Xunit.Abstractions;

namespace Warden.Statistics.Tests;

public sealed class KllSketchTests(ITestOutputHelper output)
{
    private const double Delta = 1e-6;

    [Fact]
    public void Cdf_error_stays_within_the_stated_uniform_bound_for_every_query()
    {
        var largestBound = 0.0;
        var largestRatio = 0.0;
        for (var trial = 0; trial < 48; trial++)
        {
            var random = new Random(1000 + trial);
            var k = new[] { 16, 32, 64, 200 }[trial % 4];
            var values = TestData.Sample(random, random.Next(2_000, 40_000), trial % 6);
            var sketch = new KllSketch(k, seed: (ulong)trial + 1);
            foreach (var value in values)
            {
                sketch.Add(value);
            }

            var sorted = values.Order().ToArray();
            var bound = sketch.CdfErrorBound(Delta);
            var worstCase = sketch.WorstCaseCdfError;
            Assert.False(sketch.IsExact);
            var maxError = MaxCdfError(sketch, sorted);
            Assert.True(maxError <= bound + TestData.Rounding, $"trial {trial}: error {maxError} above the bound {bound}");
            Assert.True(maxError <= worstCase + TestData.Rounding, $"trial {trial}: error {maxError} above the worst case {worstCase}");
            largestRatio = Math.Max(largestRatio, maxError / bound);
            if (k == 200)
            {
                largestBound = Math.Max(largestBound, sketch.CdfErrorBound(1e-3));
            }
        }

        output.WriteLine($"largest observed error / bound: {largestRatio:F3}; largest k=200 bound at 99.9%: {largestBound:F4}");
        // The bound is informative, not vacuous: about 2% of n for the default k.
        Assert.True(largestBound < 0.03);
    }

    [Fact]
    public void Merged_sketches_summarise_the_concatenation_within_the_merged_bound()
    {
        for (var trial = 0; trial < 40; trial++)
        {
            var random = new Random(2000 + trial);
            var k = new[] { 16, 64, 200 }[trial % 3];
            var values = TestData.Sample(random, random.Next(1_000, 30_000), trial % 6, random.NextDouble() * 100, 0.5 + random.NextDouble() * 10);
            var parts = TestData.Split(random, values, 8);
            var sketches = parts.Select((part, i) =>
            {
                var s = new KllSketch(k, seed: (ulong)(trial * 100 + i + 1));
                foreach (var value in part)
                {
                    s.Add(value);
                }

                return s;
            }).ToList();

            // Merge in a random tree order.
            while (sketches.Count > 1)
            {
                var i = random.Next(sketches.Count - 1);
                sketches[i].Merge(sketches[i + 1]);
                sketches.RemoveAt(i + 1);
            }

            var merged = sketches[0];
            var whole = new KllSketch(k, seed: (ulong)(trial * 100 + 99));
            foreach (var value in values)
            {
                whole.Add(value);
            }

            var sorted = values.Order().ToArray();
            Assert.Equal(values.Length, merged.Count);
            Assert.Equal(sorted[0], merged.Min);
            Assert.Equal(sorted[^1], merged.Max);
            Assert.True(merged.RetainedItems <= KllSketch.MaxRetainedItems(k, merged.Count));
            var mergedBound = merged.CdfErrorBound(Delta);
            Assert.True(MaxCdfError(merged, sorted) <= mergedBound + TestData.Rounding, $"trial {trial}: merged error above {mergedBound}");
            // And the merged sketch agrees with the sketch of the concatenation within both bounds.
            var both = mergedBound + whole.CdfErrorBound(Delta) + TestData.Rounding;
            foreach (var x in sorted)
            {
                Assert.True(Math.Abs(merged.Cdf(x) - whole.Cdf(x)) <= both);
            }
        }
    }

    [Fact]
    public void Quantiles_have_true_rank_within_the_bound()
    {
        for (var trial = 0; trial < 24; trial++)
        {
            var random = new Random(3000 + trial);
            var values = TestData.Sample(random, random.Next(5_000, 50_000), trial % 6);
            var sketch = new KllSketch(64, seed: (ulong)trial + 7);
            foreach (var value in values)
            {
                sketch.Add(value);
            }

            var sorted = values.Order().ToArray();
            var n = (double)sorted.Length;
            var epsilon = sketch.CdfErrorBound(Delta);
            for (var q = 0.0; q <= 1.0; q += 0.01)
            {
                var y = sketch.Quantile(q);
                Assert.True(TestData.CountBelow(sorted, y) <= (q + epsilon) * n + 1e-6, $"q={q}: too many values below {y}");
                Assert.True(TestData.Cdf(sorted, y) * n >= (q - epsilon) * n - 1e-6, $"q={q}: too few values at or below {y}");
            }

            Assert.Equal(sorted[0], sketch.Quantile(0));
            Assert.Equal(sorted[^1], sketch.Quantile(1));
        }
    }

    [Fact]
    public void Memory_stays_bounded_whatever_the_traffic()
    {
        const int k = 64;
        var sketch = new KllSketch(k, seed: 5);
        var random = new Random(5);
        var largest = 0;
        for (var i = 1; i <= 2_000_000; i++)
        {
            sketch.Add(random.NextDouble());
            largest = Math.Max(largest, sketch.RetainedItems);
            if ((i & (i - 1)) == 0 || i % 99_991 == 0)
            {
                Assert.True(sketch.RetainedItems <= KllSketch.MaxRetainedItems(k, i), $"{sketch.RetainedItems} retained after {i}");
            }
        }

        output.WriteLine($"k={k}, n=2e6: at most {largest} values retained, {sketch.LevelCount} levels");
        Assert.True(largest <= 3 * k + 2 * 22);
        Assert.True(sketch.CdfErrorBound(Delta) < 0.2);
    }

    [Fact]
    public void A_sketch_is_exact_until_its_first_compaction()
    {
        var sketch = new KllSketch(200, seed: 3);
        var values = new[] { 5.0, 1.0, 3.0, 3.0, 9.0, -2.0 };
        foreach (var value in values)
        {
            sketch.Add(value);
        }

        var sorted = values.Order().ToArray();
        Assert.True(sketch.IsExact);
        Assert.Equal(0.0, sketch.CdfErrorBound());
        foreach (var x in sorted)
        {
            Assert.Equal(TestData.Cdf(sorted, x), sketch.Cdf(x));
        }

        Assert.Equal(3.0, sketch.Quantile(0.5));
        Assert.Equal(-2.0, sketch.Quantile(0.1));
    }

    [Fact]
    public void Persisted_state_continues_the_same_stream_bit_for_bit()
    {
        var random = new Random(8);
        var original = new NumericProfile(new NumericProfileOptions { KllK = 32, Seed = 77 });
        for (var i = 0; i < 10_000; i++)
        {
            original.Add(TestData.Normal(random));
        }

        var restored = NumericProfile.FromJson(original.ToJson());
        Assert.Equal(original.ToJson(), restored.ToJson());
        for (var i = 0; i < 10_000; i++)
        {
            var value = TestData.Normal(random);
            original.Add(value);
            restored.Add(value);
        }

        Assert.Equal(original.ToJson(), restored.ToJson());
    }

    [Fact]
    public void Nan_is_refused_and_mismatched_sketches_do_not_merge()
    {
        var sketch = new KllSketch(32, seed: 1);
        Assert.Throws<ArgumentException>(() => sketch.Add(double.NaN));
        Assert.Throws<ArgumentException>(() => sketch.Merge(new KllSketch(64, seed: 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KllSketch(4));
    }

    private static double MaxCdfError(KllSketch sketch, double[] sorted)
    {
        var max = 0.0;
        foreach (var x in sorted)
        {
            max = Math.Max(max, Math.Abs(sketch.Cdf(x) - TestData.Cdf(sorted, x)));
        }

        return max;
    }
}
