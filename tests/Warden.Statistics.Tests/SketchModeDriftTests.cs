using Warden.Statistics.Drift;
using Warden.Statistics.Sketches;
using Xunit.Abstractions;

namespace Warden.Statistics.Tests;

/// <summary>Every sketch-mode result against the exact result on the same raw data: the stated bound must hold.</summary>
public sealed class SketchModeDriftTests(ITestOutputHelper output)
{
    private const double Delta = 1e-6;

    [Fact]
    public void Ks_statistic_from_kll_sketches_is_within_the_bound_and_the_p_value_interval_holds_the_exact_p()
    {
        var largestRatio = 0.0;
        for (var trial = 0; trial < 40; trial++)
        {
            var random = new Random(6000 + trial);
            var k = new[] { 16, 32, 64, 200 }[trial % 4];
            // Sizes span the exact p-value method and (reference above 10,000) the asymptotic one.
            var reference = TestData.Sample(random, random.Next(500, 14_000), trial % 6);
            var current = TestData.Sample(random, random.Next(300, 3_000), trial % 6, random.NextDouble() * 0.3, 0.8 + random.NextDouble() * 0.4);
            var r = NumericProfileTests.Profile(reference, null, seed: (ulong)trial * 2 + 1, k);
            var c = NumericProfileTests.Profile(current, null, seed: (ulong)trial * 2 + 2, k);
            var sketch = KolmogorovSmirnov.FromSketches(r.Quantiles, c.Quantiles, Delta);
            var exactStatistic = KolmogorovSmirnov.Statistic(reference.Order().ToArray(), current.Order().ToArray());
            var error = Math.Abs(sketch.Statistic - exactStatistic);
            Assert.True(error <= sketch.ErrorBound + TestData.Rounding, $"trial {trial}: |D̂ - D| = {error} above {sketch.ErrorBound}");
            largestRatio = Math.Max(largestRatio, error / sketch.ErrorBound);
            var exactP = KolmogorovSmirnov.FromStatistic(exactStatistic, reference.Length, current.Length).PValue;
            Assert.InRange(exactP, sketch.PValueLower, sketch.PValueUpper);
            Assert.Equal(1 - 2 * Delta, sketch.Confidence);
        }

        output.WriteLine($"KS from sketches: largest |D̂ - D| / bound = {largestRatio:F3}");
    }

    [Fact]
    public void Wasserstein_from_kll_sketches_is_within_the_bound()
    {
        for (var trial = 0; trial < 40; trial++)
        {
            var random = new Random(7000 + trial);
            var k = new[] { 16, 64, 200 }[trial % 3];
            var reference = TestData.Sample(random, random.Next(500, 15_000), trial % 6, 0, 3);
            var current = TestData.Sample(random, random.Next(500, 15_000), trial % 6, random.NextDouble(), 3);
            var r = NumericProfileTests.Profile(reference, null, seed: (ulong)trial * 2 + 1, k);
            var c = NumericProfileTests.Profile(current, null, seed: (ulong)trial * 2 + 2, k);

            var sketch = Wasserstein.FromSketches(r.Quantiles, c.Quantiles, Delta);
            var exact = Wasserstein.Distance(reference, current);
            Assert.True(Math.Abs(sketch.Value - exact) <= sketch.ErrorBound + TestData.Rounding, $"trial {trial}: {sketch.Value} vs {exact} ± {sketch.ErrorBound}");

            var normed = Wasserstein.NormedFromProfiles(r, c, Delta);
            var exactNormed = Wasserstein.NormedDistance(reference, current);
            Assert.True(Math.Abs(normed.Value - exactNormed) <= normed.ErrorBound + 1e-9 * exactNormed, $"trial {trial}: normed");
        }
    }

    [Fact]
    public void Binned_measures_from_histograms_equal_exact_mode_on_the_same_edges()
    {
        for (var trial = 0; trial < 30; trial++)
        {
            var random = new Random(8000 + trial);
            var reference = TestData.Sample(random, random.Next(100, 5_000), trial % 6);
            var current = TestData.Sample(random, random.Next(100, 5_000), trial % 6, random.NextDouble() - 0.5, 1.2);
            var edges = BinEdges.FromQuantiles(reference, 10);
            var r = NumericProfileTests.Profile(reference, edges, seed: 1);
            var c = NumericProfileTests.Profile(current, edges, seed: 2);
            foreach (var method in new[] { DriftMethod.PopulationStabilityIndex, DriftMethod.JensenShannon, DriftMethod.Hellinger, DriftMethod.ChiSquared })
            {
                var options = new FeatureDriftOptions { Method = method, BinEdges = edges };
                var exact = DriftAnalyzer.Numeric("x", reference, current, options);
                var sketch = DriftAnalyzer.Numeric("x", r, c, options);
                Assert.Equal(exact.Statistic, sketch.Statistic);
                Assert.Equal(exact.PValue, sketch.PValue);
                Assert.Equal(0.0, sketch.ErrorBound);
                Assert.Equal(DriftMode.Sketch, sketch.Mode);
            }
        }
    }

    [Fact]
    public void Categorical_distances_from_profiles_are_within_the_bound_of_the_coarsened_truth()
    {
        for (var trial = 0; trial < 40; trial++)
        {
            var random = new Random(9000 + trial);
            var capacity = new[] { 4, 16, 64 }[trial % 3];
            var reference = CategoricalProfileTests.ZipfStream(random, random.Next(1_000, 20_000), random.Next(10, 500), 1.1);
            var current = CategoricalProfileTests.ZipfStream(random, random.Next(1_000, 20_000), random.Next(10, 500), 0.7 + random.NextDouble());
            var r = new CategoricalProfile(capacity);
            var c = new CategoricalProfile(capacity);
            Array.ForEach(reference, r.Add);
            Array.ForEach(current, c.Add);

            // The truth, coarsened to the cells the profiles report: each tracked category, and "other".
            var tracked = r.Counts.Keys.Union(c.Counts.Keys).ToHashSet(StringComparer.Ordinal);
            var (trueReference, trueCurrent) = Coarsen(reference, current, tracked);
            foreach (var method in new[] { DriftMethod.JensenShannon, DriftMethod.Hellinger })
            {
                foreach (var logBase in new double?[] { null, 2.0 })
                {
                    var options = new FeatureDriftOptions { Method = method, JensenShannonBase = logBase };
                    var sketch = DriftAnalyzer.Categorical("x", r, c, options);
                    var truth = method == DriftMethod.JensenShannon
                        ? JensenShannon.Distance(trueReference, trueCurrent, logBase)
                        : Hellinger.Distance(trueReference, trueCurrent);
                    Assert.NotNull(sketch.ErrorBound);
                    Assert.True(Math.Abs(sketch.Statistic - truth) <= sketch.ErrorBound + TestData.Rounding,
                        $"trial {trial} {method}: {sketch.Statistic} vs {truth} ± {sketch.ErrorBound}");
                }
            }
        }
    }

    [Fact]
    public void Categorical_tests_from_exact_profiles_equal_exact_mode()
    {
        var random = new Random(10);
        var reference = CategoricalProfileTests.ZipfStream(random, 800, 12, 1.0);
        var current = CategoricalProfileTests.ZipfStream(random, 900, 14, 0.8);
        var r = new CategoricalProfile();
        var c = new CategoricalProfile();
        Array.ForEach(reference, r.Add);
        Array.ForEach(current, c.Add);
        foreach (var method in new[] { DriftMethod.ChiSquared, DriftMethod.JensenShannon, DriftMethod.PopulationStabilityIndex, DriftMethod.Hellinger })
        {
            var options = new FeatureDriftOptions { Method = method };
            var exact = DriftAnalyzer.Categorical("x", reference, current, options);
            var sketch = DriftAnalyzer.Categorical("x", r, c, options);
            Assert.Equal(exact.Statistic, sketch.Statistic, 1e-12);
            Assert.Equal(exact.PValue ?? -1, sketch.PValue ?? -1, 1e-12);
            Assert.Equal(exact.Drifted, sketch.Drifted);
            Assert.Equal(0.0, sketch.ErrorBound);
        }
    }

    [Fact]
    public void Low_cardinality_numeric_features_use_exact_value_counts_in_both_modes()
    {
        var random = new Random(11);
        var reference = Enumerable.Range(0, 700).Select(_ => (double)random.Next(0, 4)).ToArray();
        var current = Enumerable.Range(0, 600).Select(_ => (double)random.Next(0, 4) + (random.Next(5) == 0 ? 1 : 0)).ToArray();
        var exact = DriftAnalyzer.Numeric("x", reference, current);
        var sketch = DriftAnalyzer.Numeric("x", NumericProfileTests.Profile(reference, null, 1), NumericProfileTests.Profile(current, null, 2));
        Assert.Equal(DriftMethod.ChiSquared, exact.Method);
        Assert.Equal(exact.Method, sketch.Method);
        Assert.Equal(exact.Statistic, sketch.Statistic, 1e-12);
        Assert.Equal(exact.PValue!.Value, sketch.PValue!.Value, 1e-12);
    }

    private static (double[] Reference, double[] Current) Coarsen(string?[] reference, string?[] current, HashSet<string> tracked)
    {
        var cells = tracked.Order(StringComparer.Ordinal).ToList();
        var index = cells.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        double[] Count(string?[] values)
        {
            var counts = new double[cells.Count + 1];
            foreach (var value in values)
            {
                if (value is not null)
                {
                    counts[index.TryGetValue(value, out var i) ? i : cells.Count]++;
                }
            }

            return counts;
        }

        return (Count(reference), Count(current));
    }
}
