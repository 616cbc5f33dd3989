using System.Text.Json;
using Warden.Experimentation.Analysis;

namespace Warden.Experimentation.Tests;

/// <summary>Sample ratio mismatch, multiple-testing corrections and power analysis against scipy / statsmodels.</summary>
public sealed class DecisionSupportTests
{
    private static JsonElement Reference => Fixtures.Reference;

    [Fact]
    public void Sample_ratio_mismatch_matches_scipy_chisquare_and_flags_below_0_001()
    {
        int flagged = 0;
        foreach (JsonElement c in Reference.GetProperty("sampleRatioMismatch").EnumerateArray())
        {
            long[] observed = c.GetProperty("observed").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            double[] weights = c.Numbers("weights");
            SrmResult result = SampleRatioMismatch.Test(observed, weights);
            Fixtures.Near(c.Number("chiSquared"), result.ChiSquared, 1e-10, 1e-14, "chi-squared");
            Fixtures.Near(c.Number("pValue"), result.PValue, 1e-9, 0, "p");
            Assert.Equal(c.GetProperty("dof").GetInt32(), result.DegreesOfFreedom);
            Assert.Equal(c.Number("pValue") < 0.001, result.IsMismatch);
            flagged += result.IsMismatch ? 1 : 0;
        }
        // The fixture deliberately holds both healthy and broken splits.
        Assert.InRange(flagged, 1, 4);
    }

    [Fact]
    public void Holm_Bonferroni_and_Benjamini_Hochberg_match_statsmodels_multipletests()
    {
        foreach (JsonElement c in Reference.GetProperty("multipleTesting").EnumerateArray())
        {
            double[] p = c.Numbers("pValues");
            AssertAll(c.Numbers("holm"), MultipleTesting.Holm(p), "holm");
            AssertAll(c.Numbers("bonferroni"), MultipleTesting.Bonferroni(p), "bonferroni");
            AssertAll(c.Numbers("benjaminiHochberg"), MultipleTesting.BenjaminiHochberg(p), "fdr_bh");
        }

        static void AssertAll(double[] expected, double[] actual, string method)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                Fixtures.Near(expected[i], actual[i], 1e-12, 1e-15, $"{method}[{i}]");
            }
        }
    }

    [Fact]
    public void Sample_size_for_means_matches_statsmodels_NormalIndPower()
    {
        foreach (JsonElement c in Reference.GetProperty("power").GetProperty("means").EnumerateArray())
        {
            double n = PowerAnalysis.SampleSizeForMeans(c.Number("mde"), c.Number("standardDeviation"), c.Number("alpha"), c.Number("power"), c.Number("ratio"));
            Fixtures.Near(c.Number("nobs1"), n, 1e-8, 0, "nobs1");
            Fixtures.Near(c.Number("power"), PowerAnalysis.Power(c.Number("mde") / c.Number("standardDeviation"), n, c.Number("alpha"), c.Number("ratio")), 1e-10, 0, "power at nobs1");
        }
    }

    [Fact]
    public void Sample_size_for_proportions_matches_statsmodels()
    {
        foreach (JsonElement c in Reference.GetProperty("power").GetProperty("proportions").EnumerateArray())
        {
            double baseline = c.Number("baseline");
            double treatment = c.Number("treatment");
            double alpha = c.Number("alpha");
            double power = c.Number("power");
            Fixtures.Near(c.Number("cohenH"), PowerAnalysis.CohenH(baseline, treatment), 1e-12, 0, "Cohen's h");
            Fixtures.Near(c.Number("nobsCohenH"), PowerAnalysis.SampleSizeForProportions(baseline, treatment, alpha, power), 1e-8, 0, "n (Cohen's h)");
            Fixtures.Near(c.Number("nobsUnpooled"), PowerAnalysis.SampleSizeForProportionsUnpooled(baseline, treatment, alpha, power), 1e-10, 0, "n (pooled null variance)");
        }
    }
}
