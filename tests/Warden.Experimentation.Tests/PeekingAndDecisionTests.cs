using Warden.Experimentation.Analysis;
using Warden.Experimentation.Numerics;

namespace Warden.Experimentation.Tests;

/// <summary>Why the sequential test exists, and the symmetry of the Bayesian decision quantities.</summary>
public sealed class PeekingAndDecisionTests
{
    [Fact]
    public void Peeking_inflates_the_fixed_horizon_error_rate_but_not_the_sequential_one()
    {
        // 300 A/A experiments (no true difference), each looked at every 100 units per arm up to 4000.
        const int Experiments = 300;
        const int Looks = 40;
        const int UnitsPerLook = 100;
        var random = new SeededRandom(2026);
        int fixedFalsePositives = 0;
        int sequentialFalsePositives = 0;
        for (int e = 0; e < Experiments; e++)
        {
            var control = new MeanStatistic(0, 0, 0);
            var treatment = new MeanStatistic(0, 0, 0);
            bool fixedRejected = false;
            bool sequentialRejected = false;
            for (int look = 0; look < Looks; look++)
            {
                control = control.Combine(Sample(random, UnitsPerLook));
                treatment = treatment.Combine(Sample(random, UnitsPerLook));
                var options = new FrequentistOptions { Difference = DifferenceType.Absolute };
                fixedRejected |= FrequentistTests.WelchTTest(control, treatment, options).IsSignificant;
                sequentialRejected |= SequentialTests.Test(control, treatment, new SequentialOptions { Difference = DifferenceType.Absolute, TuningParameter = 4000 }).IsSignificant;
            }
            fixedFalsePositives += fixedRejected ? 1 : 0;
            sequentialFalsePositives += sequentialRejected ? 1 : 0;
        }
        double fixedRate = (double)fixedFalsePositives / Experiments;
        double sequentialRate = (double)sequentialFalsePositives / Experiments;
        // Forty looks at a 5% test reject a true null far more often than 5%; the confidence sequence stays at or below α.
        Assert.True(fixedRate > 0.15, $"fixed-horizon test with peeking: {fixedRate:P1}");
        Assert.True(sequentialRate <= 0.05 + 2.5 * Math.Sqrt(0.05 * 0.95 / Experiments), $"sequential: {sequentialRate:P1}");
    }

    [Fact]
    public void Inverse_metrics_mirror_chance_to_win_and_risk()
    {
        var control = new MeanStatistic(500, 500 * 120.0, 500 * (120.0 * 120.0 + 400));
        var treatment = new MeanStatistic(480, 480 * 115.0, 480 * (115.0 * 115.0 + 380));
        BayesianResult higherIsBetter = BayesianTests.Test(control, treatment);
        BayesianResult lowerIsBetter = BayesianTests.Test(control, treatment, new BayesianOptions { Inverse = true });
        Assert.Equal(1, higherIsBetter.ChanceToWin + lowerIsBetter.ChanceToWin, 12);
        Assert.Equal(higherIsBetter.RiskControl, lowerIsBetter.RiskTreatment, 15);
        Assert.Equal(higherIsBetter.RiskTreatment, lowerIsBetter.RiskControl, 15);
        // Latency fell by about 4%: a win when lower is better.
        Assert.True(lowerIsBetter.ChanceToWin > 0.99);
        // Risk identity: E[max(X,0)] − E[max(−X,0)] = E[X].
        Assert.Equal(higherIsBetter.Expected, higherIsBetter.RiskControl - higherIsBetter.RiskTreatment, 12);
    }

    [Fact]
    public void An_absolute_prior_is_rescaled_for_a_relative_analysis()
    {
        var control = new MeanStatistic(200, 200 * 10.0, 200 * (100.0 + 4));
        var treatment = new MeanStatistic(200, 200 * 10.3, 200 * (10.3 * 10.3 + 4));
        // A prior of N(0, 0.5²) on the absolute scale is N(0, 0.05²) on the relative scale when the control mean is 10.
        BayesianResult absolutePrior = BayesianTests.Test(control, treatment, new BayesianOptions
        {
            Prior = new GaussianPrior(0, 0.25, Proper: true),
            PriorScale = DifferenceType.Absolute,
        });
        BayesianResult relativePrior = BayesianTests.Test(control, treatment, new BayesianOptions
        {
            Prior = new GaussianPrior(0, 0.0025, Proper: true),
        });
        Assert.Equal(relativePrior.Expected, absolutePrior.Expected, 12);
        Assert.Equal(relativePrior.StandardDeviation, absolutePrior.StandardDeviation, 12);
        // A proper prior centred on zero shrinks the estimate.
        BayesianResult flat = BayesianTests.Test(control, treatment);
        Assert.True(absolutePrior.Expected < flat.Expected);
    }

    private static MeanStatistic Sample(SeededRandom random, int n)
    {
        double sum = 0;
        double squares = 0;
        for (int i = 0; i < n; i++)
        {
            double x = random.NextNormal(3, 2);
            sum += x;
            squares += x * x;
        }
        return new MeanStatistic(n, sum, squares);
    }
}
