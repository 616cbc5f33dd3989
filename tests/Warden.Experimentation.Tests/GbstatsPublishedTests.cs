using System.Text.Json;
using Warden.Experimentation.Analysis;

namespace Warden.Experimentation.Tests;

/// <summary>
/// Frequentist, sequential and Bayesian results agree with the values published in gbstats' own unit tests
/// (Fixtures/gbstats-published.json, MIT licence). Values gbstats compares after rounding to 5 decimals are checked to
/// half a unit in the fifth decimal; values it states at full precision are checked to 1e-9 relative.
/// </summary>
public sealed class GbstatsPublishedTests
{
    private static JsonElement Published => Fixtures.Gbstats;

    public static TheoryData<int> Frequentist => Indexes("frequentist");
    public static TheoryData<int> Sequential => Indexes("sequential");
    public static TheoryData<int> Bayesian => Indexes("bayesian");

    [Theory]
    [MemberData(nameof(Frequentist))]
    public void Fixed_horizon_t_test_matches_gbstats(int index)
    {
        JsonElement c = Published.GetProperty("frequentist")[index];
        HypothesisTestResult result = FrequentistTests.WelchTTest(
            Statistic(c.GetProperty("control").GetString()!),
            Statistic(c.GetProperty("treatment").GetString()!),
            new FrequentistOptions { Difference = Difference(c), Alternative = Alternative(c) });
        AssertMatches(c, result.Estimate, result.StandardError, result.CiLower, result.CiUpper);
        Check(c, "pValue", result.PValue);
    }

    [Theory]
    [MemberData(nameof(Sequential))]
    public void Sequential_test_matches_gbstats(int index)
    {
        JsonElement c = Published.GetProperty("sequential")[index];
        MetricStatistic control = Statistic(c.GetProperty("control").GetString()!);
        MetricStatistic treatment = Statistic(c.GetProperty("treatment").GetString()!);
        if (c.TryGetProperty("cuped", out JsonElement cuped))
        {
            var cupedControl = new CupedStatistic((SummableStatistic)control, (SummableStatistic)Statistic(cuped.GetProperty("controlPre").GetString()!), cuped.Number("controlSumOfProducts"));
            var cupedTreatment = new CupedStatistic((SummableStatistic)treatment, (SummableStatistic)Statistic(cuped.GetProperty("treatmentPre").GetString()!), cuped.Number("treatmentSumOfProducts"));
            (control, treatment) = Cuped.Adjust(cupedControl, cupedTreatment);
        }
        HypothesisTestResult result = SequentialTests.Test(control, treatment, new SequentialOptions
        {
            TuningParameter = c.Number("tuning"),
            Difference = Difference(c),
            Alternative = Alternative(c),
        });
        AssertMatches(c, result.Estimate, result.StandardError, result.CiLower, result.CiUpper);
        Check(c, "pValue", result.PValue);
    }

    [Theory]
    [MemberData(nameof(Bayesian))]
    public void Bayesian_test_matches_gbstats(int index)
    {
        JsonElement c = Published.GetProperty("bayesian")[index];
        JsonElement prior = c.GetProperty("prior");
        BayesianResult result = BayesianTests.Test(
            Statistic(c.GetProperty("control").GetString()!),
            Statistic(c.GetProperty("treatment").GetString()!),
            new BayesianOptions
            {
                Difference = Difference(c),
                Prior = new GaussianPrior(prior.Number("mean"), prior.Number("variance"), prior.GetProperty("proper").GetBoolean()),
            });
        AssertMatches(c, result.Expected, result.StandardDeviation, result.CiLower, result.CiUpper);
        Check(c, "chanceToWin", result.ChanceToWin);
        Check(c, "riskControl", result.RiskControl);
        Check(c, "riskTreatment", result.RiskTreatment);
    }

    [Fact]
    public void Sequential_interval_is_wider_than_the_fixed_horizon_one_and_tightest_near_the_tuning_parameter()
    {
        // gbstats' test_sequential_test_tuning_as_expected, as an ordering property.
        MetricStatistic control = Statistic("meanA3000");
        MetricStatistic treatment = Statistic("meanB3461");
        double Width(double tuning)
        {
            HypothesisTestResult r = SequentialTests.Test(control, treatment, new SequentialOptions { TuningParameter = tuning });
            return r.CiUpper - r.CiLower;
        }
        HypothesisTestResult fixedHorizon = FrequentistTests.WelchTTest(control, treatment);
        double near = Width(6461);
        Assert.True(Width(10) > Width(10_000));
        Assert.True(Width(10) > near);
        Assert.True(Width(10_000) > near);
        Assert.True(near > fixedHorizon.CiUpper - fixedHorizon.CiLower);
    }

    private static void AssertMatches(JsonElement c, double expected, double stddev, double lower, double upper)
    {
        Check(c, "expected", expected);
        Check(c, "stddev", stddev);
        Check(c, "ciLower", lower);
        Check(c, "ciUpper", upper);
    }

    private static void Check(JsonElement c, string property, double actual)
    {
        double expected = c.Number(property);
        string what = $"{c.GetProperty("test").GetString()}: {property}";
        if (c.GetProperty("decimals").ValueKind == JsonValueKind.Number)
        {
            // gbstats compares np.round(x, 5): the true value lies within half a unit of the fifth decimal.
            Fixtures.Near(expected, actual, 0, 0.5e-5 + 1e-12, what);
        }
        else
        {
            Fixtures.Near(expected, actual, 1e-9, 1e-15, what);
        }
    }

    private static MetricStatistic Statistic(string name)
    {
        JsonElement s = Published.GetProperty("statistics").GetProperty(name);
        long n = s.GetProperty("n").GetInt64();
        return s.GetProperty("kind").GetString() == "proportion"
            ? new ProportionStatistic(n, s.Number("sum"))
            : new MeanStatistic(n, s.Number("sum"), s.Number("sumOfSquares"));
    }

    private static DifferenceType Difference(JsonElement c) =>
        c.GetProperty("difference").GetString() == "absolute" ? DifferenceType.Absolute : DifferenceType.Relative;

    private static Alternative Alternative(JsonElement c) => c.TryGetProperty("method", out JsonElement m)
        ? m.GetString() switch
        {
            "Greater" => Analysis.Alternative.Greater,
            "Less" => Analysis.Alternative.Less,
            _ => Analysis.Alternative.TwoSided,
        }
        : Analysis.Alternative.TwoSided;

    private static TheoryData<int> Indexes(string section) => new(Enumerable.Range(0, Published.GetProperty(section).GetArrayLength()));
}
