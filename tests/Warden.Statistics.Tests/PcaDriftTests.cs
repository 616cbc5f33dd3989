using Warden.Statistics.Drift;
using Warden.Statistics.Multivariate;

namespace Warden.Statistics.Tests;

public sealed class PcaDriftTests
{
    [Fact]
    public void Jacobi_decomposes_random_symmetric_matrices()
    {
        var random = new Random(1);
        for (var trial = 0; trial < 100; trial++)
        {
            var d = random.Next(1, 12);
            var a = new double[d][];
            for (var i = 0; i < d; i++)
            {
                a[i] = new double[d];
            }

            for (var i = 0; i < d; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    a[i][j] = a[j][i] = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-3, 4));
                }
            }

            var norm = Math.Sqrt(a.Sum(r => r.Sum(v => v * v)));
            var eigen = SymmetricEigen.Decompose(a);
            for (var k = 0; k < d; k++)
            {
                if (k > 0)
                {
                    Assert.True(eigen.Values[k - 1] >= eigen.Values[k]);
                }

                // A v = λ v and the vectors are orthonormal.
                for (var i = 0; i < d; i++)
                {
                    var av = Enumerable.Range(0, d).Sum(j => a[i][j] * eigen.Vectors[k][j]);
                    Assert.True(Math.Abs(av - eigen.Values[k] * eigen.Vectors[k][i]) <= 1e-12 * norm);
                }

                for (var l = 0; l < d; l++)
                {
                    var dot = Enumerable.Range(0, d).Sum(j => eigen.Vectors[k][j] * eigen.Vectors[l][j]);
                    Assert.Equal(k == l ? 1.0 : 0.0, dot, 1e-12);
                }
            }

            Assert.Equal(Enumerable.Range(0, d).Sum(i => a[i][i]), eigen.Values.Sum(), 1e-12 * norm * d);
        }
    }

    [Fact]
    public void A_change_in_correlation_invisible_to_univariate_tests_is_detected()
    {
        var random = new Random(42);
        var reference = CorrelatedRows(random, 5_000, rho: 0.9);
        var unchanged = CorrelatedRows(random, 2_000, rho: 0.9);
        var flipped = CorrelatedRows(random, 2_000, rho: -0.9);

        // Every marginal is still N(0, 1): the default univariate tests see no drift, feature by feature.
        var features = Enumerable.Range(0, 3).Select(j => DriftAnalyzer.Numeric(
            "f" + j, reference.Select(r => r[j]).ToArray(), flipped.Select(r => r[j]).ToArray())).ToList();
        Assert.All(features, f => Assert.False(f.Drifted, $"{f.Feature}: {f.Method} {f.Statistic}"));
        Assert.False(DriftAnalyzer.Dataset(features).Drifted);

        var detector = PcaReconstructionDrift.Fit(reference);
        // Eigenvalues of the correlation matrix ≈ 1.9, 1, 0.1: 0.63 < 0.65, so two components are kept.
        Assert.Equal(2, detector.Components);
        Assert.InRange(detector.ExplainedVariance, 0.65, 0.99);
        Assert.False(detector.Evaluate(unchanged).Drifted);
        var drifted = detector.Evaluate(flipped);
        Assert.True(drifted.Drifted);
        Assert.True(drifted.ReconstructionError > 2 * detector.UpperThreshold);
    }

    [Fact]
    public void Missing_values_are_imputed_with_the_reference_mean()
    {
        var random = new Random(7);
        var reference = CorrelatedRows(random, 400, rho: 0.5);
        var detector = PcaReconstructionDrift.Fit(reference, new PcaDriftOptions { TargetExplainedVariance = 0.9, ReferenceChunks = 4 });
        var window = CorrelatedRows(random, 50, rho: 0.5);
        window[3][1] = double.NaN;
        var error = detector.ReconstructionError(window);
        Assert.True(double.IsFinite(error) && error >= 0);
        // A row of means is reconstructed perfectly: error 0.
        Assert.Equal(0.0, detector.ReconstructionError([[double.NaN, double.NaN, double.NaN]]), 1e-12);
        Assert.Throws<ArgumentException>(() => detector.ReconstructionError([[1.0, 2.0]]));
    }

    /// <summary>Rows (x1, x2, x3) with x1, x3 standard normal and x2 = ρ x1 + √(1 - ρ²) e, so every marginal is
    /// N(0, 1) whatever ρ is.</summary>
    private static List<double[]> CorrelatedRows(Random random, int n, double rho)
    {
        var rows = new List<double[]>(n);
        for (var i = 0; i < n; i++)
        {
            var x1 = TestData.Normal(random);
            var x2 = rho * x1 + Math.Sqrt(1 - rho * rho) * TestData.Normal(random);
            rows.Add([x1, x2, TestData.Normal(random)]);
        }

        return rows;
    }
}
