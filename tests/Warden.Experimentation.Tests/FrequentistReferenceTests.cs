using System.Text.Json;
using Warden.Experimentation.Analysis;

namespace Warden.Experimentation.Tests;

/// <summary>
/// Welch's t-test, the delta-method relative lift, the two-proportion z-test, CUPED, ratio metrics and capping against
/// scipy / statsmodels / numpy (reference-values.json). Raw values from the fixture are aggregated into sufficient
/// statistics here, so the tests also prove that aggregation loses nothing.
/// </summary>
public sealed class FrequentistReferenceTests
{
    // Test statistics, p-values and intervals: 1e-8 relative (or 1e-12 absolute for values near zero).
    private const double Tolerance = 1e-8;
    private const double AbsoluteFloor = 1e-12;

    private static JsonElement Reference => Fixtures.Reference;

    public static TheoryData<int> WelchCases => new(Enumerable.Range(0, Reference.GetProperty("welch").GetArrayLength()));

    [Theory]
    [MemberData(nameof(WelchCases))]
    public void Welch_t_test_matches_scipy_ttest_ind(int index)
    {
        JsonElement c = Reference.GetProperty("welch")[index];
        MeanStatistic control = MeanStatistic.FromValues(c.Numbers("control"));
        MeanStatistic treatment = MeanStatistic.FromValues(c.Numbers("treatment"));
        double alpha = c.Number("alpha");

        EffectEstimate effect = EffectEstimator.Estimate(control, treatment, DifferenceType.Absolute);
        Near(c.Number("difference"), effect.PointEstimate, "difference");
        Near(c.Number("standardError"), effect.StandardError, "standard error");
        Near(c.Number("dof"), effect.DegreesOfFreedom, "degrees of freedom");

        foreach ((string name, Alternative alternative) in new[] { ("two-sided", Alternative.TwoSided), ("greater", Alternative.Greater), ("less", Alternative.Less) })
        {
            HypothesisTestResult result = FrequentistTests.WelchTTest(effect, new FrequentistOptions { Alpha = alpha, Alternative = alternative });
            JsonElement scipy = c.GetProperty("scipy").GetProperty(name);
            Near(scipy.Number("statistic"), result.Statistic, $"t ({name})");
            Near(scipy.Number("pValue"), result.PValue, $"p ({name})");
        }
        HypothesisTestResult twoSided = FrequentistTests.WelchTTest(control, treatment, new FrequentistOptions { Alpha = alpha, Difference = DifferenceType.Absolute });
        Near(c.Number("ciLower"), twoSided.CiLower, "ci lower");
        Near(c.Number("ciUpper"), twoSided.CiUpper, "ci upper");
    }

    [Theory]
    [MemberData(nameof(WelchCases))]
    public void Relative_lift_matches_the_delta_method_reference(int index)
    {
        JsonElement c = Reference.GetProperty("welch")[index];
        JsonElement expected = c.GetProperty("relative");
        HypothesisTestResult result = FrequentistTests.WelchTTest(
            MeanStatistic.FromValues(c.Numbers("control")),
            MeanStatistic.FromValues(c.Numbers("treatment")),
            new FrequentistOptions { Alpha = c.Number("alpha"), Difference = DifferenceType.Relative });
        Near(expected.Number("estimate"), result.Estimate, "relative lift");
        Near(expected.Number("standardError"), result.StandardError, "relative standard error");
        Near(expected.Number("pValue"), result.PValue, "relative p");
        Near(expected.Number("ciLower"), result.CiLower, "relative ci lower");
        Near(expected.Number("ciUpper"), result.CiUpper, "relative ci upper");
    }

    [Fact]
    public void Two_proportion_z_test_matches_statsmodels_proportions_ztest()
    {
        foreach (JsonElement c in Reference.GetProperty("proportionsZTest").EnumerateArray())
        {
            long xc = c.GetProperty("controlSuccesses").GetInt64();
            long nc = c.GetProperty("controlN").GetInt64();
            long xt = c.GetProperty("treatmentSuccesses").GetInt64();
            long nt = c.GetProperty("treatmentN").GetInt64();
            foreach ((string name, Alternative alternative) in new[] { ("two-sided", Alternative.TwoSided), ("larger", Alternative.Greater), ("smaller", Alternative.Less) })
            {
                ProportionZTestResult result = FrequentistTests.TwoProportionZTest(xc, nc, xt, nt, alternative);
                JsonElement expected = c.GetProperty("statsmodels").GetProperty(name);
                Near(expected.Number("statistic"), result.Statistic, $"z ({name}) {xt}/{nt} vs {xc}/{nc}");
                Near(expected.Number("pValue"), result.PValue, $"p ({name}) {xt}/{nt} vs {xc}/{nc}");
            }
        }
    }

    [Fact]
    public void Cuped_theta_and_adjusted_test_match_scipy_on_adjusted_values()
    {
        foreach (JsonElement c in Reference.GetProperty("cuped").EnumerateArray())
        {
            CupedStatistic control = CupedStatistic.FromValues(c.Numbers("controlPost"), c.Numbers("controlPre"));
            CupedStatistic treatment = CupedStatistic.FromValues(c.Numbers("treatmentPost"), c.Numbers("treatmentPre"));
            (CupedStatistic adjustedControl, CupedStatistic adjustedTreatment) = Cuped.Adjust(control, treatment);
            Near(c.Number("theta"), adjustedControl.Theta, "theta");

            HypothesisTestResult result = FrequentistTests.WelchTTest(adjustedControl, adjustedTreatment, new FrequentistOptions { Difference = DifferenceType.Absolute });
            Near(c.Number("difference"), result.Estimate, "adjusted difference");
            Near(c.Number("standardError"), result.StandardError, "adjusted standard error");
            Near(c.Number("statistic"), result.Statistic, "adjusted t");
            Near(c.Number("pValue"), result.PValue, "adjusted p");

            // The point of CUPED: the adjusted standard error is smaller than the plain one.
            HypothesisTestResult plain = FrequentistTests.WelchTTest(control.Post, treatment.Post, new FrequentistOptions { Difference = DifferenceType.Absolute });
            Near(c.Number("unadjustedStandardError"), plain.StandardError, "unadjusted standard error");
            Assert.True(result.StandardError < plain.StandardError);
            Assert.True(Cuped.VarianceReduction(adjustedControl) > 0);
        }
    }

    [Fact]
    public void Ratio_metric_delta_method_matches_the_numpy_reference()
    {
        foreach (JsonElement c in Reference.GetProperty("ratioMetrics").EnumerateArray())
        {
            RatioStatistic control = RatioStatistic.FromValues(c.Numbers("controlNumerator"), c.Numbers("controlDenominator"));
            RatioStatistic treatment = RatioStatistic.FromValues(c.Numbers("treatmentNumerator"), c.Numbers("treatmentDenominator"));
            Near(c.Number("controlRatio"), control.Mean, "control ratio");
            Near(c.Number("treatmentRatio"), treatment.Mean, "treatment ratio");
            Near(c.Number("controlVariance"), control.Variance, "control variance");
            Near(c.Number("treatmentVariance"), treatment.Variance, "treatment variance");

            EffectEstimate absolute = EffectEstimator.Estimate(control, treatment, DifferenceType.Absolute);
            Near(c.Number("difference"), absolute.PointEstimate, "difference");
            Near(c.Number("standardError"), absolute.StandardError, "standard error");
            EffectEstimate relative = EffectEstimator.Estimate(control, treatment, DifferenceType.Relative);
            Near(c.Number("relative"), relative.PointEstimate, "relative");
            Near(c.Number("relativeStandardError"), relative.StandardError, "relative standard error");
        }
    }

    [Fact]
    public void Capping_at_a_quantile_matches_numpy_and_scipy()
    {
        foreach (JsonElement c in Reference.GetProperty("winsorizing").EnumerateArray())
        {
            double q = c.Number("quantile");
            double[] control = c.Numbers("control");
            double[] treatment = c.Numbers("treatment");
            double cap = Winsorizer.Quantile([.. control, .. treatment], q);
            Near(c.Number("cap"), cap, "pooled cap");
            Near(c.Number("controlQuantile"), Winsorizer.Quantile(control, q), "control quantile");

            MeanStatistic cappedControl = Winsorizer.CappedStatistic(control, cap);
            MeanStatistic cappedTreatment = Winsorizer.CappedStatistic(treatment, cap);
            Near(c.Number("cappedControlSum"), cappedControl.Sum, "capped sum");
            Near(c.Number("cappedControlSumOfSquares"), cappedControl.SumOfSquares, "capped sum of squares");
            HypothesisTestResult result = FrequentistTests.WelchTTest(cappedControl, cappedTreatment, new FrequentistOptions { Difference = DifferenceType.Absolute });
            Near(c.Number("statistic"), result.Statistic, "t on capped values");
            Near(c.Number("pValue"), result.PValue, "p on capped values");
        }
    }

    [Fact]
    public void Invalid_inputs_give_a_problem_instead_of_numbers()
    {
        var empty = new MeanStatistic(0, 0, 0);
        var some = new MeanStatistic(10, 50, 300);
        HypothesisTestResult result = FrequentistTests.WelchTTest(empty, some);
        Assert.False(result.Effect.IsValid);
        Assert.Equal(1, result.PValue);
        Assert.False(result.IsSignificant);
        var zeroBaseline = new MeanStatistic(10, 0, 10);
        Assert.Contains("zero", EffectEstimator.Estimate(zeroBaseline, some).Problem, StringComparison.Ordinal);
    }

    private static void Near(double expected, double actual, string what) =>
        Fixtures.Near(expected, actual, Tolerance, AbsoluteFloor, what);
}
