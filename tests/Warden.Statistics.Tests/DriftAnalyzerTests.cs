using Warden.Statistics.Drift;
using Warden.Statistics.Sketches;

namespace Warden.Statistics.Tests;

public sealed class DriftAnalyzerTests
{
    [Theory]
    [InlineData(FeatureKind.Numeric, 1000, 6, DriftMethod.KolmogorovSmirnov)]
    [InlineData(FeatureKind.Numeric, 1000, 5, DriftMethod.ChiSquared)]
    [InlineData(FeatureKind.Numeric, 500, 2, DriftMethod.ZTest)]
    [InlineData(FeatureKind.Categorical, 1000, 3, DriftMethod.ChiSquared)]
    [InlineData(FeatureKind.Categorical, 20, 2, DriftMethod.ZTest)]
    [InlineData(FeatureKind.Categorical, 1000, 500, DriftMethod.ChiSquared)]
    [InlineData(FeatureKind.Numeric, 1001, 6, DriftMethod.WassersteinNormed)]
    [InlineData(FeatureKind.Numeric, 1001, 5, DriftMethod.JensenShannon)]
    [InlineData(FeatureKind.Categorical, 1001, 2, DriftMethod.JensenShannon)]
    [InlineData(FeatureKind.Categorical, 100_000, 40, DriftMethod.JensenShannon)]
    public void Default_method_follows_the_table_by_kind_reference_size_and_distinct_values(
        FeatureKind kind, long referenceRows, long distinct, DriftMethod expected)
    {
        Assert.Equal(expected, DriftDefaults.ChooseMethod(kind, referenceRows, distinct));
    }

    [Fact]
    public void Default_thresholds_are_p_below_005_for_tests_and_distance_at_least_01_otherwise()
    {
        var random = new Random(1);
        var small = TestData.Sample(random, 800, 0);
        var smallShifted = TestData.Sample(random, 800, 0, 0.5);
        var ks = DriftAnalyzer.Numeric("x", small, smallShifted);
        Assert.Equal(DriftMethod.KolmogorovSmirnov, ks.Method);
        Assert.Equal(0.05, ks.Threshold);
        Assert.True(ks.PValue < 0.05);
        Assert.True(ks.Drifted);

        var large = TestData.Sample(random, 5_000, 0);
        var largeSame = TestData.Sample(random, 5_000, 0);
        var wasserstein = DriftAnalyzer.Numeric("x", large, largeSame);
        Assert.Equal(DriftMethod.WassersteinNormed, wasserstein.Method);
        Assert.Equal(0.1, wasserstein.Threshold);
        Assert.Null(wasserstein.PValue);
        Assert.False(wasserstein.Drifted);
        var shifted = DriftAnalyzer.Numeric("x", large, TestData.Sample(random, 5_000, 0, 0.2));
        Assert.True(shifted.Statistic >= 0.1);
        Assert.True(shifted.Drifted);
    }

    [Fact]
    public void A_per_feature_threshold_changes_the_verdict()
    {
        var random = new Random(2);
        var reference = TestData.Sample(random, 3_000, 0);
        var current = TestData.Sample(random, 3_000, 0, 0.05);
        var byDefault = DriftAnalyzer.Numeric("x", reference, current);
        var strict = DriftAnalyzer.Numeric("x", reference, current, new FeatureDriftOptions { Threshold = byDefault.Statistic / 2 });
        Assert.False(byDefault.Drifted);
        Assert.True(strict.Drifted);
        Assert.Equal(byDefault.Statistic, strict.Statistic);
    }

    [Fact]
    public void Dataset_drifts_when_the_share_of_drifted_features_reaches_the_threshold()
    {
        FeatureDriftResult Feature(string name, bool drifted) =>
            new(name, FeatureKind.Numeric, DriftMethod.WassersteinNormed, drifted ? 0.3 : 0.01, null, 0.1, drifted, DriftMode.Exact, 0, 1);

        var half = new[] { Feature("a", true), Feature("b", false), Feature("c", true), Feature("d", false) };
        var result = DriftAnalyzer.Dataset(half);
        Assert.Equal(2, result.DriftedFeatures);
        Assert.Equal(0.5, result.DriftShare);
        Assert.True(result.Drifted);
        Assert.False(DriftAnalyzer.Dataset(half, shareThreshold: 0.75).Drifted);
        Assert.False(DriftAnalyzer.Dataset([Feature("a", true), Feature("b", false), Feature("c", false)]).Drifted);
        Assert.False(DriftAnalyzer.Dataset([]).Drifted);
        Assert.Throws<ArgumentOutOfRangeException>(() => DriftAnalyzer.Dataset(half, 0));
    }

    [Fact]
    public void A_category_never_seen_in_the_reference_is_drift_under_chi_squared()
    {
        var reference = Enumerable.Repeat<string?>("a", 50).Concat(Enumerable.Repeat<string?>("b", 50)).Concat(Enumerable.Repeat<string?>("c", 50)).ToArray();
        var current = reference.Append("new").ToArray();
        var result = DriftAnalyzer.Categorical("x", reference, current);
        Assert.Equal(DriftMethod.ChiSquared, result.Method);
        Assert.True(double.IsPositiveInfinity(result.Statistic));
        Assert.Equal(0.0, result.PValue);
        Assert.True(result.Drifted);
    }

    [Fact]
    public void Binary_features_use_the_z_test_and_missing_values_are_ignored()
    {
        var reference = Enumerable.Range(0, 400).Select(i => i % 10 == 0 ? null : i % 2 == 0 ? "yes" : "no").ToArray();
        var same = DriftAnalyzer.Categorical("x", reference, reference);
        Assert.Equal(DriftMethod.ZTest, same.Method);
        Assert.Equal(0.0, same.Statistic);
        Assert.Equal(1.0, same.PValue);
        Assert.False(same.Drifted);
        var skewed = Enumerable.Range(0, 400).Select(i => i % 4 == 0 ? "no" : "yes").ToArray();
        Assert.True(DriftAnalyzer.Categorical("x", reference, skewed).Drifted);
    }

    [Fact]
    public void Unsuitable_methods_are_refused_with_a_clear_error()
    {
        string?[] categories = ["a", "b", "c"];
        Assert.Throws<ArgumentException>(() => DriftAnalyzer.Categorical("x", categories, categories,
            new FeatureDriftOptions { Method = DriftMethod.KolmogorovSmirnov }));
        var error = Assert.Throws<InvalidOperationException>(() => DriftAnalyzer.Categorical("colour", categories, categories,
            new FeatureDriftOptions { Method = DriftMethod.ZTest }));
        Assert.Contains("colour", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => DriftAnalyzer.Numeric("x", [double.NaN], [1.0]));
        var noHistogram = NumericProfileTests.Profile([1, 2, 3, 4, 5, 6, 7], null, 1);
        Assert.Throws<InvalidOperationException>(() => DriftAnalyzer.Numeric("x", noHistogram, noHistogram,
            new FeatureDriftOptions { Method = DriftMethod.PopulationStabilityIndex }));
    }

    [Fact]
    public void Normed_wasserstein_is_invariant_to_the_units_of_the_feature()
    {
        var random = new Random(3);
        var reference = TestData.Sample(random, 2_000, 1);
        var current = TestData.Sample(random, 2_000, 1, 0.3);
        var normed = Wasserstein.NormedDistance(reference, current);
        var scaled = Wasserstein.NormedDistance(reference.Select(v => v * 1000 + 7).ToArray(), current.Select(v => v * 1000 + 7).ToArray());
        Assert.Equal(normed, scaled, 1e-9 * normed);
        // A constant reference is normalised by the 0.001 floor instead of dividing by zero.
        Assert.Equal(Wasserstein.Distance([1.0, 1.0], [1.5]) / Wasserstein.MinimumNormalizer, Wasserstein.NormedDistance([1.0, 1.0], [1.5]));
    }

    [Fact]
    public void Psi_is_symmetric_non_negative_zero_for_equal_proportions_and_finite_with_empty_cells()
    {
        var random = new Random(4);
        for (var trial = 0; trial < 100; trial++)
        {
            var p = Enumerable.Range(0, 8).Select(_ => (double)random.Next(0, 30)).ToArray();
            var q = Enumerable.Range(0, 8).Select(_ => (double)random.Next(0, 30)).ToArray();
            p[0] += 1;
            q[1] += 1;
            var psi = PopulationStabilityIndex.Compute(p, q);
            Assert.True(psi >= 0 && double.IsFinite(psi));
            Assert.Equal(psi, PopulationStabilityIndex.Compute(q, p), 1e-12);
            Assert.Equal(0.0, PopulationStabilityIndex.Compute(p, p.Select(x => 3 * x).ToArray()), 1e-15);
        }
    }

    [Fact]
    public void Hellinger_lies_between_the_total_variation_bounds()
    {
        var random = new Random(5);
        for (var trial = 0; trial < 200; trial++)
        {
            var p = Enumerable.Range(0, 6).Select(_ => random.NextDouble() * (random.Next(3) == 0 ? 0 : 1)).Append(1e-3).ToArray();
            var q = Enumerable.Range(0, 7).Select(_ => random.NextDouble()).ToArray();
            var h = Hellinger.Distance(p, q);
            var tv = 0.5 * p.Zip(q).Sum(x => Math.Abs(x.First / p.Sum() - x.Second / q.Sum()));
            Assert.InRange(h, 0, 1);
            Assert.True(h * h <= tv + 1e-12, $"H² = {h * h} > TV = {tv}");
            Assert.True(tv <= Math.Sqrt(2) * h + 1e-12, $"TV = {tv} > √2 H = {Math.Sqrt(2) * h}");
        }

        Assert.Equal(1.0, Hellinger.Distance([1, 0], [0, 1]), 1e-15);
        Assert.Equal(0.0, Hellinger.Distance([2, 3], [4, 6]), 1e-15);
    }

    [Fact]
    public void Profiles_choose_the_same_default_method_as_raw_samples()
    {
        var random = new Random(6);
        var reference = TestData.Sample(random, 1_500, 0);
        var current = TestData.Sample(random, 1_200, 0, 0.4);
        var exact = DriftAnalyzer.Numeric("x", reference, current);
        var sketch = DriftAnalyzer.Numeric("x", NumericProfileTests.Profile(reference, null, 1), NumericProfileTests.Profile(current, null, 2));
        Assert.Equal(DriftMethod.WassersteinNormed, sketch.Method);
        Assert.Equal(exact.Method, sketch.Method);
        Assert.True(Math.Abs(exact.Statistic - sketch.Statistic) <= sketch.ErrorBound!.Value + 1e-12);
        Assert.Equal(exact.Drifted, sketch.Drifted);
        Assert.True(sketch.Confidence < 1);

        var small = TestData.Sample(random, 600, 0);
        var sketchKs = DriftAnalyzer.Numeric("x", NumericProfileTests.Profile(small, null, 1), NumericProfileTests.Profile(current, null, 2));
        Assert.Equal(DriftMethod.KolmogorovSmirnov, sketchKs.Method);
        Assert.True(sketchKs.Drifted);
    }
}
