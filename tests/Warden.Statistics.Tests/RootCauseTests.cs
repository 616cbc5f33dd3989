using Warden.Statistics.Drift;
using Warden.Statistics.Fairness;
using Warden.Statistics.RootCause;

namespace Warden.Statistics.Tests;

public sealed class RootCauseTests
{
    [Fact]
    public void Features_rank_by_normalized_drift_times_importance()
    {
        FeatureDriftResult[] drift =
        [
            // income: normed Wasserstein 0.3 against 0.1 → 3.0; importance 0.5 → score 1.5.
            Result("income", DriftMethod.WassersteinNormed, 0.3, null, 0.1),
            // age: KS p = 1e-10 at α = 0.05 → ln(1e-10) / ln(0.05) = −23.026 / −2.996 = 7.686; importance 0.1 → 0.769.
            Result("age", DriftMethod.KolmogorovSmirnov, 0.2, 1e-10, 0.05),
            // zip: Jensen–Shannon 0.05 against 0.1 → 0.5 (below its threshold); importance 2.0 → 1.0.
            Result("zip", DriftMethod.JensenShannon, 0.05, null, 0.1),
        ];
        var importance = new Dictionary<string, double> { ["income"] = 0.5, ["age"] = 0.1, ["zip"] = 2.0 };

        var ranked = DriftAttribution.Rank(drift, importance);

        // The most drifted feature (age, 7.7× its threshold) ranks last: the model barely uses it.
        Assert.Equal(["income", "zip", "age"], ranked.Select(r => r.Feature));
        Assert.Equal(3.0, ranked[0].NormalizedDrift, 1e-12);
        Assert.Equal(1.5, ranked[0].Score, 1e-12);
        Assert.Equal(Math.Log(1e-10) / Math.Log(0.05), ranked[2].NormalizedDrift, 1e-12);
        Assert.Equal(7.686, ranked[2].NormalizedDrift, 3);
        Assert.Equal(0.5 / 2.6, ranked[0].ImportanceShare, 1e-12); // 0.5 / (0.5 + 0.1 + 2.0)
        Assert.Equal(1.0, ranked.Sum(r => r.ScoreShare), 1e-12);

        Assert.Throws<ArgumentException>(() => DriftAttribution.Rank(drift, new Dictionary<string, double> { ["income"] = 1 }));
    }

    [Fact]
    public void Normalized_drift_is_one_at_the_threshold_for_every_kind_of_test()
    {
        Assert.Equal(1.0, DriftAttribution.NormalizedDrift(Result("a", DriftMethod.KolmogorovSmirnov, 0.1, 0.05, 0.05)), 1e-12);
        Assert.Equal(2.0, DriftAttribution.NormalizedDrift(Result("a", DriftMethod.ChiSquared, 9, 0.05 * 0.05, 0.05)), 1e-12);
        Assert.Equal(1.0, DriftAttribution.NormalizedDrift(Result("a", DriftMethod.PopulationStabilityIndex, 0.2, null, 0.2)), 1e-12);
        // An underflowed p-value still gets a finite score: −ln(4.9e-324) / −ln(0.05) ≈ 744.4 / 3.0 ≈ 248.5.
        Assert.Equal(248.5, DriftAttribution.NormalizedDrift(Result("a", DriftMethod.KolmogorovSmirnov, 1, 0.0, 0.05)), 1);
        Assert.Equal(0.6, DriftAttribution.CoefficientImportance(-0.3, 2.0), 1e-15);
    }

    [Fact]
    public void Segments_rank_by_contribution_and_add_up_to_the_change()
    {
        SegmentErrors[] segments =
        [
            // device, baseline: mobile 200 rows at error 0.10, desktop 800 at 0.10 → overall 0.10.
            // device, current: mobile 500 rows at 0.30, desktop 500 at 0.10 → overall (150 + 50) / 1000 = 0.20.
            new("device", "mobile", 200, 20, 500, 150),
            new("device", "desktop", 800, 80, 500, 50),
            // region: both halves got a little worse, 0.10 → 0.20 each.
            new("region", "EU", 500, 50, 500, 100),
            new("region", "US", 500, 50, 500, 100),
        ];

        var ranking = SegmentAttribution.Rank(segments);

        // mobile: 150/1000 − 20/1000 = 0.13; EU, US: 100/1000 − 50/1000 = 0.05 each; desktop: 50/1000 − 80/1000 = −0.03.
        Assert.Equal(["device/mobile", "region/EU", "region/US", "device/desktop"],
            ranking.Segments.Select(s => s.Feature + "/" + s.Segment));
        var mobile = ranking.Segments[0];
        Assert.Equal(0.13, mobile.Contribution, 1e-12);
        Assert.Equal((0.2, 0.1, 0.5, 0.3), (mobile.BaselineShare, mobile.BaselineError!.Value, mobile.CurrentShare, Math.Round(mobile.CurrentError!.Value, 12)));
        // Rate: (0.2 + 0.5)/2 × (0.3 − 0.1) = 0.07; mix: (0.1 + 0.3)/2 × (0.5 − 0.2) = 0.06; together 0.13.
        Assert.Equal(0.07, mobile.RateEffect, 1e-12);
        Assert.Equal(0.06, mobile.MixEffect, 1e-12);
        var desktop = ranking.Segments[3];
        Assert.Equal(-0.03, desktop.Contribution, 1e-12);
        Assert.Equal(0.0, desktop.RateEffect, 1e-12); // desktop's error did not change; it shrank (mix −0.03)

        // Each feature's contributions add up to its change in overall error, 0.10 → 0.20.
        foreach (var feature in ranking.Features)
        {
            Assert.Equal(0.10, feature.Change, 1e-12);
            Assert.Equal(feature.Change, ranking.Segments.Where(s => s.Feature == feature.Feature).Sum(s => s.Contribution), 1e-12);
        }
    }

    [Fact]
    public void A_new_segment_is_all_mix_and_quantile_buckets_find_the_numeric_cause()
    {
        // Ages 20..79 uniformly in both windows; now rows aged 65 and over are misclassified 60% of the time, the rest 10%.
        var baselineAges = Enumerable.Range(0, 6000).Select(i => 20.0 + (i % 60)).ToArray();
        var buckets = NumericBuckets.FromQuantiles(baselineAges, 4); // edges 34.75, 49.5, 64.25
        var baseline = new Dictionary<string, (long Count, double Errors)>();
        var current = new Dictionary<string, (long Count, double Errors)>();
        for (var i = 0; i < baselineAges.Length; i++)
        {
            var age = baselineAges[i];
            var name = buckets.NameOf(age)!;
            Add(baseline, name, i % 10 == 0 ? 1 : 0); // 10% everywhere
            Add(current, name, age >= 65 ? (i % 10 < 6 ? 1 : 0) : (i % 10 == 0 ? 1 : 0));
        }

        var segments = buckets.Names.Select(n => new SegmentErrors("age", n, baseline[n].Count, baseline[n].Errors, current[n].Count, current[n].Errors))
            .Append(new SegmentErrors("channel", "web", 6000, 600, 5000, 1000))
            .Append(new SegmentErrors("channel", "app", 0, 0, 1000, 500)); // new: 1000 rows at 0.5

        var ranking = SegmentAttribution.Rank(segments);
        var top = ranking.Segments[0];
        Assert.Equal(("age", "≥64.25"), (top.Feature, top.Segment));
        var app = ranking.Segments.Single(s => s.Segment == "app");
        Assert.Null(app.BaselineError);
        Assert.Equal(500.0 / 6000, app.Contribution, 1e-12);
        Assert.Equal(0.0, app.RateEffect, 1e-12);
        Assert.Equal(app.Contribution, app.MixEffect, 1e-12);
        Assert.Throws<ArgumentException>(() => SegmentAttribution.Rank([new SegmentErrors("x", "a", 0, 0, 5, 1)]));
    }

    private static void Add(Dictionary<string, (long Count, double Errors)> counts, string segment, double error)
    {
        var (count, errors) = counts.GetValueOrDefault(segment);
        counts[segment] = (count + 1, errors + error);
    }

    private static FeatureDriftResult Result(string feature, DriftMethod method, double statistic, double? pValue, double threshold) =>
        new(feature, FeatureKind.Numeric, method, statistic, pValue, threshold,
            DriftDefaults.IsPValueTest(method) ? pValue < threshold : statistic >= threshold, DriftMode.Exact, 0, 1);
}
