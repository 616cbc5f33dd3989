using System.Text.Json;
using Warden.Experimentation.Numerics;
using Warden.Numerics;

namespace Warden.Experimentation.Tests;

/// <summary>Distributions and special functions against scipy.stats / scipy.special (reference-values.json).</summary>
public sealed class DistributionTests
{
    // Relative tolerance for distribution values; tail probabilities are compared relatively too, so a 1e-200 tail
    // must be right to 9 significant digits, not merely "close to zero".
    private const double Tolerance = 1e-9;

    private static JsonElement Distributions => Fixtures.Reference.Section("distributions");

    [Fact]
    public void Normal_cdf_sf_and_pdf_match_scipy()
    {
        int checkedCount = 0;
        foreach (JsonElement c in Distributions.GetProperty("normal").EnumerateArray())
        {
            double x = c.Number("x");
            Fixtures.Near(c.Number("cdf"), Normal.Cdf(x), Tolerance, 0, $"cdf({x})");
            Fixtures.Near(c.Number("sf"), Normal.Sf(x), Tolerance, 0, $"sf({x})");
            Fixtures.Near(c.Number("pdf"), Normal.Pdf(x), Tolerance, 0, $"pdf({x})");
            checkedCount++;
        }
        Assert.True(checkedCount >= 20);
    }

    [Fact]
    public void Normal_quantile_matches_scipy()
    {
        foreach (JsonElement c in Distributions.GetProperty("normalPpf").EnumerateArray())
        {
            double p = c.Number("p");
            Fixtures.Near(c.Number("ppf"), Normal.Quantile(p), Tolerance, 1e-15, $"ppf({p})");
        }
    }

    [Fact]
    public void Student_t_cdf_and_sf_match_scipy()
    {
        foreach (JsonElement c in Distributions.GetProperty("studentT").EnumerateArray())
        {
            double df = c.Number("df");
            double x = c.Number("x");
            Fixtures.Near(c.Number("cdf"), StudentT.Cdf(x, df), Tolerance, 0, $"t.cdf({x}, {df})");
            Fixtures.Near(c.Number("sf"), StudentT.Sf(x, df), Tolerance, 0, $"t.sf({x}, {df})");
        }
    }

    [Fact]
    public void Student_t_quantile_matches_mpmath_and_scipy()
    {
        foreach (JsonElement c in Distributions.GetProperty("studentTPpf").EnumerateArray())
        {
            double df = c.Number("df");
            double p = c.Number("p");
            double actual = StudentT.Quantile(p, df);
            // mpmath (40 digits) is the exact reference (1e-10: for ν ≥ 1e5 the rounding of x = ν/(ν+t²) limits the CDF);
            // scipy 1.10's stdtrit itself is only good to ~2.3e-9 relative,
            // so against scipy the tolerance is 5e-9.
            Fixtures.Near(c.Number("mpmath"), actual, 1e-10, 1e-15, $"t.ppf({p}, {df}) vs mpmath");
            if (p >= 1e-4)
            {
                Fixtures.Near(c.Number("ppf"), actual, 5e-9, 1e-15, $"t.ppf({p}, {df}) vs scipy");
            }
        }
    }

    [Fact]
    public void Chi_squared_cdf_and_sf_match_scipy()
    {
        foreach (JsonElement c in Distributions.GetProperty("chiSquared").EnumerateArray())
        {
            double k = c.Number("k");
            double x = c.Number("x");
            Fixtures.Near(c.Number("cdf"), ChiSquared.Cdf(x, k), Tolerance, 0, $"chi2.cdf({x}, {k})");
            Fixtures.Near(c.Number("sf"), ChiSquared.Sf(x, k), Tolerance, 0, $"chi2.sf({x}, {k})");
        }
    }

    [Fact]
    public void Special_functions_match_scipy_special()
    {
        JsonElement special = Distributions.GetProperty("special");
        foreach (JsonElement c in special.GetProperty("gammaln").EnumerateArray())
        {
            double x = c.Number("x");
            Fixtures.Near(c.Number("value"), SpecialFunctions.LogGamma(x), 1e-12, 1e-14, $"gammaln({x})");
        }
        foreach (JsonElement c in special.GetProperty("gammainc").EnumerateArray())
        {
            double a = c.Number("a");
            double x = c.Number("x");
            Fixtures.Near(c.Number("p"), SpecialFunctions.RegularizedGammaP(a, x), 1e-12, 0, $"gammainc({a}, {x})");
            Fixtures.Near(c.Number("q"), SpecialFunctions.RegularizedGammaQ(a, x), 1e-12, 0, $"gammaincc({a}, {x})");
        }
        foreach (JsonElement c in special.GetProperty("betainc").EnumerateArray())
        {
            double a = c.Number("a");
            double b = c.Number("b");
            double x = c.Number("x");
            Fixtures.Near(c.Number("value"), SpecialFunctions.RegularizedIncompleteBeta(a, b, x), 1e-12, 0, $"betainc({a}, {b}, {x})");
        }
    }

    [Fact]
    public void Quantiles_invert_their_distribution_functions()
    {
        foreach (double p in new[] { 1e-12, 0.003, 0.2, 0.5, 0.77, 0.999 })
        {
            Fixtures.Near(p, Normal.Cdf(Normal.Quantile(p)), 1e-13, 0, $"Φ(Φ⁻¹({p}))");
            foreach (double df in new[] { 1.5, 7.0, 250.0 })
            {
                Fixtures.Near(p, StudentT.Cdf(StudentT.Quantile(p, df), df), 1e-12, 0, $"T(T⁻¹({p}), {df})");
            }
        }
    }

    [Fact]
    public void Log1p_and_expm1_keep_precision_near_zero()
    {
        // ln(1 + 1e-12) = 1e-12 − 5e-25 + …: the naive Log(1 + x) has a relative error near 1e-4 here.
        Fixtures.Near(1e-12 - 5e-25, SpecialFunctions.Log1P(1e-12), 1e-15);
        Fixtures.Near(1e-12 + 5e-25, SpecialFunctions.ExpM1(1e-12), 1e-15);
        Assert.Equal(Math.Log(3), SpecialFunctions.Log1P(2), 15);
    }

    [Fact]
    public void Seeded_random_source_is_reproducible_and_has_the_right_moments()
    {
        var first = new SeededRandom(42);
        var second = new SeededRandom(42);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(first.NextUInt64(), second.NextUInt64());
        }
        var random = new SeededRandom(7);
        const int Draws = 200_000;
        double sumNormal = 0;
        double sumNormalSquared = 0;
        double sumBeta = 0;
        double sumGamma = 0;
        for (int i = 0; i < Draws; i++)
        {
            double z = random.NextNormal();
            sumNormal += z;
            sumNormalSquared += z * z;
            sumBeta += random.NextBeta(2, 5);
            sumGamma += random.NextGamma(0.5);
        }
        // Means within ~5 standard errors of the truth.
        Assert.InRange(sumNormal / Draws, -0.012, 0.012);
        Assert.InRange(sumNormalSquared / Draws, 0.98, 1.02);
        Assert.InRange(sumBeta / Draws, 2.0 / 7 - 0.002, 2.0 / 7 + 0.002);
        Assert.InRange(sumGamma / Draws, 0.5 - 0.008, 0.5 + 0.008);
    }
}
