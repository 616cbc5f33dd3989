using System.Text.Json;
using Warden.Numerics;
using Warden.Statistics.Drift;
using Warden.Statistics.Internal;
using Warden.Statistics.Multivariate;
using Xunit.Abstractions;

namespace Warden.Statistics.Tests;

/// <summary>
/// Agreement with SciPy 1.10 on the committed fixtures. Tolerance: relative 1e-9, i.e.
/// |ours - scipy| ≤ 1e-9 · |scipy|, with an absolute allowance of 1e-300 only so that results in the subnormal range
/// (p-values near 1e-320) can be compared at all.
/// </summary>
public sealed class ScipyAgreementTests(ITestOutputHelper output)
{
    private const double Relative = 1e-9;
    private const double Subnormal = 1e-300;

    [Fact]
    public void Ks_2samp_statistic_and_pvalue_match_scipy_auto_method()
    {
        var worst = 0.0;
        var count = 0;
        foreach (var c in ScipyFixtures.Cases("ks_2samp"))
        {
            var name = c.GetProperty("name").GetString();
            double[] a, b;
            if (c.TryGetProperty("a", out var rawA))
            {
                a = rawA.Doubles();
                b = c.GetProperty("b").Doubles();
            }
            else
            {
                a = ScipyFixtures.Generate(c.GetProperty("genA"));
                b = ScipyFixtures.Generate(c.GetProperty("genB"));
                AssertChecksum(a, c.GetProperty("checkA"), name);
                AssertChecksum(b, c.GetProperty("checkB"), name);
            }

            var result = KolmogorovSmirnov.TwoSample(a, b);
            Assert.Equal(Math.Max(a.Length, b.Length) <= 10_000 ? KsPValueMethod.Exact : KsPValueMethod.Asymptotic, result.Method);
            worst = Math.Max(worst, Close.Assert(c.GetProperty("statistic").GetDouble(), result.Statistic, Relative, 0, name + " statistic"));
            worst = Math.Max(worst, Close.Assert(c.GetProperty("pvalue").GetDouble(), result.PValue, Relative, Subnormal, name + " p-value"));
            count++;
        }

        output.WriteLine($"ks_2samp: {count} cases, largest relative error {worst:E2}");
        Assert.True(count >= 20);
    }

    [Fact]
    public void Kstwo_survival_function_matches_scipy_on_every_branch()
    {
        var worst = 0.0;
        var count = 0;
        foreach (var c in ScipyFixtures.Cases("kstwo_sf"))
        {
            var n = c.GetProperty("n").GetInt32();
            var x = c.GetProperty("x").GetDouble();
            var error = Close.Assert(c.GetProperty("sf").GetDouble(), KolmogorovDistribution.Sf(n, x), Relative, Subnormal, $"kstwo.sf({x:R}, {n})");
            if (c.GetProperty("sf").GetDouble() > Subnormal)
            {
                worst = Math.Max(worst, error);
            }

            count++;
        }

        output.WriteLine($"kstwo.sf: {count} points, largest relative error {worst:E2}");
        Assert.True(count > 300);
    }

    [Fact]
    public void Chisquare_with_rescaled_reference_matches_scipy()
    {
        var worst = 0.0;
        foreach (var c in ScipyFixtures.Cases("chisquare"))
        {
            var name = c.GetProperty("name").GetString();
            var result = ChiSquared.Test(c.GetProperty("observed").Doubles(), c.GetProperty("reference").Doubles());
            worst = Math.Max(worst, Close.Assert(c.GetProperty("statistic").GetDouble(), result.Statistic, Relative, 0, name + " statistic"));
            worst = Math.Max(worst, Close.Assert(c.GetProperty("pvalue").GetDouble(), result.PValue, Relative, Subnormal, name + " p-value"));
        }

        output.WriteLine($"chisquare: largest relative error {worst:E2}");
    }

    [Fact]
    public void Wasserstein_distance_matches_scipy()
    {
        var worst = 0.0;
        foreach (var c in ScipyFixtures.Cases("wasserstein"))
        {
            var name = c.GetProperty("name").GetString();
            var distance = Wasserstein.Distance(c.GetProperty("u").Doubles(), c.GetProperty("v").Doubles());
            worst = Math.Max(worst, Close.Assert(c.GetProperty("distance").GetDouble(), distance, Relative, 0, name));
        }

        output.WriteLine($"wasserstein_distance: largest relative error {worst:E2}");
    }

    [Fact]
    public void Jensen_shannon_distance_matches_scipy_in_natural_log_and_other_bases()
    {
        var worst = 0.0;
        foreach (var c in ScipyFixtures.Cases("jensenshannon"))
        {
            var name = c.GetProperty("name").GetString();
            var logBase = c.GetProperty("base").ValueKind == JsonValueKind.Null ? (double?)null : c.GetProperty("base").GetDouble();
            var distance = JensenShannon.Distance(c.GetProperty("p").Doubles(), c.GetProperty("q").Doubles(), logBase);
            worst = Math.Max(worst, Close.Assert(c.GetProperty("distance").GetDouble(), distance, Relative, 0, name));
        }

        output.WriteLine($"jensenshannon: largest relative error {worst:E2}");
    }

    [Fact]
    public void Chi2_and_normal_survival_functions_match_scipy()
    {
        var worst = 0.0;
        foreach (var c in ScipyFixtures.Cases("chi2_sf"))
        {
            var x = c.GetProperty("x").GetDouble();
            var df = c.GetProperty("df").GetDouble();
            worst = Math.Max(worst, Close.Assert(c.GetProperty("sf").GetDouble(), SpecialFunctions.ChiSquaredSf(x, df), Relative, Subnormal, $"chi2.sf({x}, {df})"));
        }

        foreach (var c in ScipyFixtures.Cases("norm_sf"))
        {
            var z = c.GetProperty("z").GetDouble();
            worst = Math.Max(worst, Close.Assert(c.GetProperty("sf").GetDouble(), SpecialFunctions.NormalSf(z), Relative, Subnormal, $"norm.sf({z})"));
        }

        output.WriteLine($"chi2.sf and norm.sf: largest relative error {worst:E2}");
    }

    [Fact]
    public void Two_proportion_z_test_matches_the_pooled_formula_and_scipy_normal_tail()
    {
        var worst = 0.0;
        foreach (var c in ScipyFixtures.Cases("ztest"))
        {
            var result = TwoProportionZTest.Test(
                c.GetProperty("x1").GetDouble(), c.GetProperty("n1").GetDouble(), c.GetProperty("x2").GetDouble(), c.GetProperty("n2").GetDouble());
            worst = Math.Max(worst, Close.Assert(c.GetProperty("z").GetDouble(), result.Z, Relative, 0, "z"));
            worst = Math.Max(worst, Close.Assert(c.GetProperty("pvalue").GetDouble(), result.PValue, Relative, Subnormal, "p-value"));
        }

        output.WriteLine($"two-proportion z-test: largest relative error {worst:E2}");
    }

    [Fact]
    public void Jacobi_eigenvalues_match_numpy_eigvalsh()
    {
        var worst = 0.0;
        foreach (var c in ScipyFixtures.Cases("eigh"))
        {
            var matrix = c.GetProperty("matrix").EnumerateArray().Select(r => r.Doubles()).ToArray();
            var expected = c.GetProperty("eigenvalues").Doubles();
            var norm = Math.Sqrt(matrix.Sum(r => r.Sum(v => v * v)));
            var actual = SymmetricEigen.Decompose(matrix).Values;
            Assert.Equal(expected.Length, actual.Length);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * norm, $"eigenvalue {i}: {expected[i]:R} vs {actual[i]:R}");
                worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]) / norm);
            }
        }

        output.WriteLine($"eigvalsh: largest error / ‖A‖ {worst:E2}");
    }

    private static void AssertChecksum(double[] values, JsonElement check, string? name)
    {
        var first = check.GetProperty("first").Doubles();
        for (var i = 0; i < first.Length; i++)
        {
            Assert.Equal(first[i], values[i]);
        }

        Assert.Equal(check.GetProperty("last").GetDouble(), values[^1]);
        Close.Assert(check.GetProperty("sum").GetDouble(), values.Sum(), 1e-12, 1e-9, name + " checksum");
    }
}
