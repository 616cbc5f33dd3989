using Warden.Statistics.Fairness;

namespace Warden.Statistics.Tests;

/// <summary>
/// Fairness metrics on hand-computed examples. Debian bookworm has no python3-fairlearn package (apt-cache policy
/// python3-fairlearn finds nothing), so there are no Fairlearn fixtures; the definitions followed are Fairlearn's
/// (demographic parity difference and ratio, equalized odds difference) and AIF360's (disparate impact).
/// </summary>
public sealed class FairnessTests
{
    // A: 100 labelled rows, TP 30, FN 10, FP 10, TN 50.
    //    selection = (30 + 10) / 100 = 0.40; TPR = 30 / 40 = 0.75; FPR = 10 / 60 = 1/6.
    // B: 80 labelled rows TP 12, FN 8, FP 6, TN 54, plus 20 unlabelled rows of which 2 predicted 1.
    //    selection = (12 + 6 + 2) / 100 = 0.20; TPR = 12 / 20 = 0.6; FPR = 6 / 60 = 0.1.
    // C: 10 rows (TP 5, FP 5), below the minimum size of 30: reported (selection 1.0) but not judged.
    private static GroupConfusion Example()
    {
        var confusion = new GroupConfusion();
        AddRows(confusion, "A", tp: 30, fn: 10, fp: 10, tn: 50);
        AddRows(confusion, "B", tp: 12, fn: 8, fp: 6, tn: 54, unlabeledPositive: 2, unlabeledNegative: 18);
        AddRows(confusion, "C", tp: 5, fp: 5);
        return confusion;
    }

    [Fact]
    public void Per_group_rates_and_summary_metrics_match_the_hand_computation()
    {
        var report = Example().Report();

        Assert.Equal(["A", "B", "C"], report.Groups.Select(g => g.Group));
        var a = report.Groups[0];
        var b = report.Groups[1];
        var c = report.Groups[2];
        Assert.Equal((100, 100, 0.40, true), (a.Count, a.Labeled, a.SelectionRate, a.Included));
        Assert.Equal(0.75, a.TruePositiveRate!.Value, 1e-15);
        Assert.Equal(1.0 / 6, a.FalsePositiveRate!.Value, 1e-15);
        Assert.Equal((100, 80, 0.20, true), (b.Count, b.Labeled, b.SelectionRate, b.Included));
        Assert.Equal(0.6, b.TruePositiveRate!.Value, 1e-15);
        Assert.Equal(0.1, b.FalsePositiveRate!.Value, 1e-15);
        Assert.Equal((10, 1.0, false), (c.Count, c.SelectionRate, c.Included));
        Assert.Equal((1.0, 1.0), (c.TruePositiveRate, c.FalsePositiveRate)); // 5 / 5 and 5 / 5

        // Judged groups A and B only (C would dominate every difference with its rate of 1.0).
        Assert.Equal(0.40 - 0.20, report.DemographicParityDifference!.Value, 1e-15); // 0.20
        Assert.Equal(0.20 / 0.40, report.DemographicParityRatio!.Value, 1e-15); // 0.5
        Assert.Equal(0.75 - 0.6, report.EqualOpportunityDifference!.Value, 1e-15); // 0.15
        Assert.Equal(1.0 / 6 - 0.1, report.FalsePositiveRateDifference!.Value, 1e-15); // 1/15 ≈ 0.0667
        Assert.Equal(0.15, report.EqualizedOddsDifference!.Value, 1e-15); // max(0.15, 0.0667)

        // No privileged group: the lowest rate over the highest, B against A: 0.20 / 0.40 = 0.5 < 0.8.
        Assert.Equal(0.5, report.DisparateImpact!.Value, 1e-15);
        Assert.Equal("B", report.DisparateImpactGroup);
        Assert.Equal("A", report.ReferenceGroup);
        Assert.True(report.FailsFourFifthsRule);
        // Impact ratios against A's 0.40: A 1, B 0.5, C 1.0 / 0.40 = 2.5 (reported, not judged).
        Assert.Equal([1.0, 0.5, 2.5], report.Groups.Select(g => Math.Round(g.ImpactRatio!.Value, 12)));
    }

    [Fact]
    public void Disparate_impact_uses_the_privileged_group_when_given()
    {
        var confusion = Example();

        var privilegedA = confusion.Report(new FairnessOptions { PrivilegedGroup = "A" });
        Assert.Equal(0.5, privilegedA.DisparateImpact!.Value, 1e-15); // B / A = 0.20 / 0.40
        Assert.True(privilegedA.FailsFourFifthsRule);

        var privilegedB = confusion.Report(new FairnessOptions { PrivilegedGroup = "B" });
        Assert.Equal(2.0, privilegedB.DisparateImpact!.Value, 1e-15); // A / B = 0.40 / 0.20; C is not judged
        Assert.Equal("A", privilegedB.DisparateImpactGroup);
        Assert.False(privilegedB.FailsFourFifthsRule);

        // C is too small to be the yardstick: no verdict rather than a noisy one.
        var privilegedC = confusion.Report(new FairnessOptions { PrivilegedGroup = "C" });
        Assert.Null(privilegedC.DisparateImpact);
        Assert.Null(privilegedC.FailsFourFifthsRule);

        Assert.Throws<ArgumentException>(() => confusion.Report(new FairnessOptions { PrivilegedGroup = "D" }));
    }

    [Fact]
    public void Lowering_the_minimum_size_brings_small_groups_into_the_judgement()
    {
        // With C judged: selection rates 0.4, 0.2, 1.0 → difference 1.0 − 0.2 = 0.8, ratio 0.2.
        var report = Example().Report(new FairnessOptions { MinimumGroupSize = 5 });
        Assert.Equal(0.8, report.DemographicParityDifference!.Value, 1e-15);
        Assert.Equal(0.2, report.DemographicParityRatio!.Value, 1e-15);
        Assert.Equal("C", report.ReferenceGroup);
    }

    [Fact]
    public void Selection_rates_work_from_predictions_alone()
    {
        // X: 50 unlabelled rows, 20 predicted 1 → 0.4. Y: 50 rows, 35 predicted 1 → 0.7.
        var confusion = new GroupConfusion();
        AddRows(confusion, "X", unlabeledPositive: 20, unlabeledNegative: 30);
        AddRows(confusion, "Y", unlabeledPositive: 35, unlabeledNegative: 15);
        var report = confusion.Report();

        Assert.Equal(0.7 - 0.4, report.DemographicParityDifference!.Value, 1e-15); // 0.3
        Assert.Equal(0.4 / 0.7, report.DemographicParityRatio!.Value, 1e-15); // 4/7 ≈ 0.571
        Assert.True(report.FailsFourFifthsRule); // 0.571 < 0.8
        Assert.Null(report.EqualOpportunityDifference); // no labels: no TPR
        Assert.Null(report.EqualizedOddsDifference);
        Assert.All(report.Groups, g => Assert.Null(g.TruePositiveRate));
    }

    [Fact]
    public void One_judged_group_gives_no_disparities()
    {
        var confusion = new GroupConfusion();
        AddRows(confusion, "only", tp: 40, tn: 40);
        var report = confusion.Report();
        Assert.Null(report.DemographicParityDifference);
        Assert.Null(report.DisparateImpact);
        Assert.Null(report.FailsFourFifthsRule);
    }

    [Fact]
    public void Merge_adds_counts_exactly_and_json_round_trips()
    {
        var first = new GroupConfusion();
        AddRows(first, "A", tp: 10, fn: 5, fp: 3, tn: 20);
        AddRows(first, "B", tp: 4, unlabeledPositive: 1);
        var second = new GroupConfusion();
        AddRows(second, "A", tp: 20, fn: 5, fp: 7, tn: 30);
        AddRows(second, "B", tp: 8, fn: 8, fp: 6, tn: 54, unlabeledPositive: 1, unlabeledNegative: 18);
        AddRows(second, "C", tp: 5, fp: 5);
        first.Merge(second);

        Assert.Equal(Example().Report(), first.Report(), new ReportComparer());
        var restored = GroupConfusion.FromJson(first.ToJson());
        Assert.Equal(first.ToJson(), restored.ToJson());
        Assert.Equal(first.Groups["B"], restored.Groups["B"]);
        Assert.Throws<FormatException>(() => GroupConfusion.FromJson("{\"v\":1,\"groups\":{\"A\":[1,2]}}"));
    }

    [Fact]
    public void Numeric_buckets_have_clear_names_and_half_open_intervals()
    {
        var buckets = new NumericBuckets([25, 40]);
        Assert.Equal(["<25", "25–40", "≥40"], buckets.Names);
        Assert.Equal("<25", buckets.NameOf(24.9));
        Assert.Equal("25–40", buckets.NameOf(25)); // lower edge included
        Assert.Equal("25–40", buckets.NameOf(39.99));
        Assert.Equal("≥40", buckets.NameOf(40)); // upper edge excluded
        Assert.Equal("<25", buckets.NameOf(double.NegativeInfinity));
        Assert.Null(buckets.NameOf(double.NaN));
        Assert.Null(buckets.NameOf(null));
        Assert.Equal(["<0.5", "≥0.5"], new NumericBuckets([0.5]).Names);
        Assert.Throws<ArgumentException>(() => new NumericBuckets([40, 25]));
        Assert.Throws<ArgumentException>(() => new NumericBuckets([]));

        // Quartiles of 1..100, linear interpolation: positions 0.25·99 = 24.75 → 25.75, 49.5 → 50.5, 74.25 → 75.25.
        var quartiles = NumericBuckets.FromQuantiles([.. Enumerable.Range(1, 100).Select(i => (double)i)], 4);
        Assert.Equal(["<25.75", "25.75–50.5", "50.5–75.25", "≥75.25"], quartiles.Names);
    }

    private static void AddRows(GroupConfusion confusion, string group, int tp = 0, int fn = 0, int fp = 0, int tn = 0,
        int unlabeledPositive = 0, int unlabeledNegative = 0)
    {
        for (var i = 0; i < tp; i++) confusion.Add(group, true, true);
        for (var i = 0; i < fn; i++) confusion.Add(group, true, false);
        for (var i = 0; i < fp; i++) confusion.Add(group, false, true);
        for (var i = 0; i < tn; i++) confusion.Add(group, false, false);
        for (var i = 0; i < unlabeledPositive; i++) confusion.Add(group, null, true);
        for (var i = 0; i < unlabeledNegative; i++) confusion.Add(group, null, false);
    }

    /// <summary>Records holding lists compare by reference; compare the groups element by element instead.</summary>
    private sealed class ReportComparer : IEqualityComparer<FairnessReport>
    {
        public bool Equals(FairnessReport? x, FairnessReport? y) =>
            x is not null && y is not null && x.Groups.SequenceEqual(y.Groups) && x with { Groups = [] } == y with { Groups = [] };

        public int GetHashCode(FairnessReport obj) => 0;
    }
}
