using Warden.Statistics.Sketches;
using Xunit.Abstractions;

namespace Warden.Statistics.Tests;

public sealed class NumericProfileTests(ITestOutputHelper output)
{
    private static readonly double[] Edges = [-2, -1, -0.5, 0, 0.5, 1, 2];

    [Fact]
    public void Merge_of_profiles_equals_the_profile_of_the_concatenation()
    {
        for (var trial = 0; trial < 200; trial++)
        {
            var random = new Random(4000 + trial);
            var shift = (random.NextDouble() - 0.5) * 200;
            var scale = Math.Pow(10, random.Next(-2, 4));
            var values = TestData.Sample(random, random.Next(1, 5_000), trial % 6, shift, scale);
            // Sprinkle missing values.
            for (var i = 0; i < values.Length / 50; i++)
            {
                values[random.Next(values.Length)] = random.Next(3) switch { 0 => double.NaN, 1 => double.PositiveInfinity, _ => double.NegativeInfinity };
            }

            var edges = Edges.Select(e => shift + scale * e).ToArray();
            var split = random.Next(values.Length + 1);
            var a = Profile(values[..split], edges, seed: 1);
            var b = Profile(values[split..], edges, seed: 2);
            var whole = Profile(values, edges, seed: 3);
            var merged = NumericProfile.Merge(a, b);

            // Exact: counts, missing, min, max, histogram, distinct values.
            Assert.Equal(whole.Count, merged.Count);
            Assert.Equal(whole.Missing, merged.Missing);
            Assert.Equal(whole.Min, merged.Min);
            Assert.Equal(whole.Max, merged.Max);
            Assert.Equal(whole.Histogram!.CellCounts(), merged.Histogram!.CellCounts());
            Assert.Equal(whole.DistinctValueCounts?.OrderBy(p => p.Key), merged.DistinctValueCounts?.OrderBy(p => p.Key));
            if (whole.Count == 0)
            {
                continue;
            }

            // Moments: within 1e-9 relative (the mean relative to max(|mean|, std), since a mean near zero has no
            // meaningful relative error).
            var std = whole.PopulationStandardDeviation;
            Assert.True(Math.Abs(whole.Mean - merged.Mean) <= 1e-9 * Math.Max(Math.Abs(whole.Mean), std), $"trial {trial}: mean");
            if (whole.Count > 1)
            {
                Assert.True(Math.Abs(whole.PopulationVariance - merged.PopulationVariance) <= 1e-9 * whole.PopulationVariance
                            || whole.PopulationVariance == merged.PopulationVariance,
                    $"trial {trial}: variance {whole.PopulationVariance:R} vs {merged.PopulationVariance:R}, n={whole.Count}, mean {whole.Mean}, split {split}, shape {trial % 6}");
            }

            // Quantiles: both sketches within their bounds of the truth, hence of each other.
            var sorted = values.Where(double.IsFinite).Order().ToArray();
            var bound = merged.Quantiles.CdfErrorBound(1e-6);
            foreach (var x in sorted)
            {
                Assert.True(Math.Abs(merged.Quantiles.Cdf(x) - TestData.Cdf(sorted, x)) <= bound + TestData.Rounding,
                    $"trial {trial}: x={x} sketch {merged.Quantiles.Cdf(x)} true {TestData.Cdf(sorted, x)} bound {bound} n={sorted.Length} worst {merged.Quantiles.WorstCaseCdfError} a={a.Count} b={b.Count} exact {merged.Quantiles.IsExact}");
            }
        }
    }

    [Fact]
    public void Moments_stay_accurate_far_from_zero_where_the_textbook_formula_collapses()
    {
        const double offset = 1e6;
        var random = new Random(12);
        var values = Enumerable.Range(0, 100_000).Select(_ => offset + TestData.Normal(random)).ToArray();
        var profile = Profile(values, null, seed: 1);
        // Reference: deviations from the offset are exact in double, so this two-pass computation loses nothing.
        var meanDeviation = values.Sum(v => v - offset) / values.Length;
        var variance = values.Sum(v => ((v - offset) - meanDeviation) * ((v - offset) - meanDeviation)) / values.Length;
        var naive = values.Sum(v => v * v) / values.Length - Math.Pow(values.Average(), 2);
        var varianceError = Math.Abs(profile.PopulationVariance - variance) / variance;
        output.WriteLine($"Welford: mean error {Math.Abs(profile.Mean - offset - meanDeviation):E2}, variance relative error {varianceError:E2}; " +
                         $"E[x²] - E[x]² relative error {Math.Abs(naive - variance) / variance:E2}");
        Assert.True(Math.Abs(profile.Mean - (offset + meanDeviation)) <= 1e-12 * offset);
        Assert.True(varianceError <= 1e-9);
        Assert.True(Math.Abs(naive - variance) / variance > 100 * varianceError);
        Assert.True(Math.Abs(profile.SampleVariance - profile.PopulationVariance * values.Length / (values.Length - 1)) <= 1e-15 * variance);
    }

    [Fact]
    public void Histogram_cells_follow_numpy_edges_with_underflow_and_overflow()
    {
        var histogram = new FixedBinHistogram([0.0, 1.0, 2.0]);
        foreach (var value in new[] { -0.1, 0.0, 0.5, 1.0, 1.999, 2.0, 2.0001, double.NegativeInfinity })
        {
            histogram.Add(value);
        }

        // underflow: -0.1, -inf; [0, 1): 0, 0.5; [1, 2]: 1, 1.999, 2 (last bin closed); overflow: 2.0001.
        Assert.Equal([2L, 2, 3, 1], histogram.CellCounts());
        Assert.Equal(8, histogram.Total);
        Assert.Throws<ArgumentException>(() => new FixedBinHistogram([0.0, 0.0]));
        Assert.Throws<ArgumentException>(() => histogram.Merge(new FixedBinHistogram([0.0, 1.0, 3.0])));
    }

    [Fact]
    public void Distinct_values_are_counted_exactly_until_there_are_more_than_sixteen()
    {
        var profile = new NumericProfile(new NumericProfileOptions { Seed = 1 });
        for (var i = 0; i < 160; i++)
        {
            profile.Add(i % 16);
        }

        Assert.Equal(16, profile.DistinctValueCounts!.Count);
        Assert.All(profile.DistinctValueCounts.Values, c => Assert.Equal(10, c));
        profile.Add(99);
        Assert.Null(profile.DistinctValueCounts);
        var other = new NumericProfile(new NumericProfileOptions { Seed = 2 });
        other.Add(1);
        Assert.Null(NumericProfile.Merge(other, profile).DistinctValueCounts);
    }

    [Fact]
    public void Json_round_trip_restores_every_statistic_and_rejects_tampering()
    {
        var random = new Random(3);
        var profile = Profile(TestData.Sample(random, 5_000, 1).Append(double.NaN).ToArray(), Edges, seed: 9);
        var json = profile.ToJson();
        var restored = NumericProfile.FromJson(json);
        Assert.Equal(profile.Count, restored.Count);
        Assert.Equal(profile.Missing, restored.Missing);
        Assert.Equal(profile.Mean, restored.Mean);
        Assert.Equal(profile.SumOfSquaredDeviations, restored.SumOfSquaredDeviations);
        Assert.Equal(profile.Min, restored.Min);
        Assert.Equal(profile.Max, restored.Max);
        Assert.Equal(profile.Histogram!.CellCounts(), restored.Histogram!.CellCounts());
        Assert.Equal(profile.Quantiles.Quantile(0.37), restored.Quantiles.Quantile(0.37));
        Assert.Equal(profile.Quantiles.CdfErrorBound(), restored.Quantiles.CdfErrorBound());
        Assert.True(json.Length < 4 * KllSketch.MaxRetainedItems(KllSketch.DefaultK, profile.Count) * 25, "compact");

        Assert.Throws<FormatException>(() => NumericProfile.FromJson("{\"v\":2}"));
        Assert.Throws<FormatException>(() => NumericProfile.FromJson("not json"));
        Assert.Throws<FormatException>(() => NumericProfile.FromJson(json.Replace("\"n\":5000", "\"n\":5001", StringComparison.Ordinal)));
    }

    [Fact]
    public void Profiles_with_different_bins_or_k_refuse_to_merge()
    {
        var a = new NumericProfile(new NumericProfileOptions { BinEdges = Edges, Seed = 1 });
        var b = new NumericProfile(new NumericProfileOptions { Seed = 2 });
        var c = new NumericProfile(new NumericProfileOptions { BinEdges = Edges, KllK = 100, Seed = 3 });
        Assert.Throws<ArgumentException>(() => a.Merge(b));
        Assert.Throws<ArgumentException>(() => a.Merge(c));
    }

    internal static NumericProfile Profile(double[] values, double[]? edges, ulong seed, int k = KllSketch.DefaultK)
    {
        var profile = new NumericProfile(new NumericProfileOptions { BinEdges = edges, Seed = seed, KllK = k });
        profile.AddRange(values);
        return profile;
    }
}

public sealed class CategoricalProfileTests
{
    [Fact]
    public void Frequent_item_counts_stay_within_the_misra_gries_bound_through_streams_and_merges()
    {
        for (var trial = 0; trial < 60; trial++)
        {
            var random = new Random(5000 + trial);
            var capacity = new[] { 2, 8, 32, 100 }[trial % 4];
            var categories = random.Next(5, 3_000);
            var values = ZipfStream(random, random.Next(100, 20_000), categories, 0.5 + random.NextDouble());
            var parts = Split(random, values, 6);
            var profiles = parts.Select(p =>
            {
                var profile = new CategoricalProfile(capacity);
                foreach (var value in p)
                {
                    profile.Add(value);
                }

                return profile;
            }).ToList();
            while (profiles.Count > 1)
            {
                var i = random.Next(profiles.Count - 1);
                profiles[i].Merge(profiles[i + 1]);
                profiles.RemoveAt(i + 1);
            }

            var merged = profiles[0];
            var truth = values.Where(v => v is not null).GroupBy(v => v!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count());
            Assert.Equal(truth.Values.Sum(), merged.Count);
            Assert.Equal(values.Count(v => v is null), merged.Missing);
            Assert.True(merged.Counts.Count <= capacity);
            Assert.Equal(merged.Count - merged.Counts.Values.Sum(), merged.Other);
            Assert.True(merged.MaxUndercount <= merged.Count / (capacity + 1));
            foreach (var (category, count) in truth)
            {
                var estimate = merged.EstimateCount(category);
                Assert.True(estimate <= count, $"{category}: estimate {estimate} above the truth {count}");
                Assert.True(count - estimate <= merged.MaxUndercount, $"{category}: undercount {count - estimate} above {merged.MaxUndercount}");
            }
        }
    }

    [Fact]
    public void Within_capacity_the_counts_are_exact_and_merge_equals_the_concatenation()
    {
        var random = new Random(6);
        var values = ZipfStream(random, 10_000, 40, 1.0);
        var a = new CategoricalProfile(64);
        var b = new CategoricalProfile(64);
        var whole = new CategoricalProfile(64);
        for (var i = 0; i < values.Length; i++)
        {
            (i < 3_000 ? a : b).Add(values[i]);
            whole.Add(values[i]);
        }

        var merged = CategoricalProfile.Merge(a, b);
        Assert.True(merged.IsExact);
        Assert.Equal(0, merged.Other);
        Assert.Equal(whole.Counts.OrderBy(p => p.Key, StringComparer.Ordinal), merged.Counts.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(whole.Missing, merged.Missing);
    }

    [Fact]
    public void Weighted_adds_count_like_repeated_adds_and_json_round_trips()
    {
        var weighted = new CategoricalProfile(3);
        var repeated = new CategoricalProfile(3);
        foreach (var (category, weight) in new[] { ("a", 5L), ("b", 3L), ("c", 2L), ("d", 4L), ("a", 1L) })
        {
            weighted.Add(category, weight);
            for (var i = 0; i < weight; i++)
            {
                repeated.Add(category);
            }
        }

        Assert.Equal(15, weighted.Count);
        Assert.Equal(repeated.Count, weighted.Count);
        Assert.True(weighted.EstimateCount("a") >= 6 - weighted.MaxUndercount);
        var restored = CategoricalProfile.FromJson(weighted.ToJson());
        Assert.Equal(weighted.ToJson(), restored.ToJson());
        Assert.Equal(weighted.Other, restored.Other);
        Assert.Throws<FormatException>(() => CategoricalProfile.FromJson("{\"v\":1,\"k\":2,\"n\":1,\"categories\":[\"a\"],\"counts\":[5]}"));
    }

    internal static string?[] ZipfStream(Random random, int n, int categories, double exponent)
    {
        var weights = Enumerable.Range(1, categories).Select(r => 1.0 / Math.Pow(r, exponent)).ToArray();
        var cumulative = new double[categories];
        var total = 0.0;
        for (var i = 0; i < categories; i++)
        {
            total += weights[i];
            cumulative[i] = total;
        }

        var values = new string?[n];
        for (var i = 0; i < n; i++)
        {
            if (random.Next(100) == 0)
            {
                continue; // missing
            }

            var u = random.NextDouble() * total;
            var index = Array.BinarySearch(cumulative, u);
            values[i] = "c" + (index < 0 ? ~index : index).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return values;
    }

    private static List<string?[]> Split(Random random, string?[] values, int maxParts)
    {
        var parts = random.Next(1, maxParts + 1);
        var cuts = Enumerable.Range(0, parts - 1).Select(_ => random.Next(0, values.Length + 1)).Order().Prepend(0).Append(values.Length).ToArray();
        return [.. Enumerable.Range(0, parts).Select(i => values[cuts[i]..cuts[i + 1]])];
    }
}
