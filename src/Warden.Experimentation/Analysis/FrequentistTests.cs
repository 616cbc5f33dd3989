using Warden.Experimentation.Numerics;

namespace Warden.Experimentation.Analysis;

/// <summary>Options of the fixed-horizon tests.</summary>
public sealed record FrequentistOptions
{
    /// <summary>Significance level (0.05 by default).</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>Relative (default, as gbstats) or absolute effect.</summary>
    public DifferenceType Difference { get; init; } = DifferenceType.Relative;

    /// <summary>Two-sided by default.</summary>
    public Alternative Alternative { get; init; } = Alternative.TwoSided;
}

/// <summary>A two-proportion z-test result (difference of proportions, treatment minus control).</summary>
/// <param name="Difference">p_T − p_C.</param>
/// <param name="Statistic">z = (p_T − p_C) / √(p̄(1−p̄)(1/n_T + 1/n_C)) with the pooled p̄.</param>
/// <param name="PValue">p-value under the chosen alternative.</param>
/// <param name="CiLower">Lower bound of the unpooled Wald interval (−∞ for <see cref="Alternative.Less"/>).</param>
/// <param name="CiUpper">Upper bound of the unpooled Wald interval (+∞ for <see cref="Alternative.Greater"/>).</param>
public sealed record ProportionZTestResult(double Difference, double Statistic, double PValue, double CiLower, double CiUpper);

/// <summary>
/// Fixed-horizon frequentist tests: Welch's t-test on the absolute or relative (delta-method) effect, and the
/// two-proportion z-test. These are valid only when the sample size is fixed in advance and the result is read once;
/// for dashboards that are watched continuously use <see cref="SequentialTests"/>.
/// </summary>
/// <remarks>
/// Agreement: scipy.stats.ttest_ind(equal_var=False) and statsmodels proportions_ztest to 1e-8 in the tests, and
/// gbstats' TwoSidedTTest / OneSided*TTest published values.
/// </remarks>
public static class FrequentistTests
{
    /// <summary>Welch's t-test of treatment against control.</summary>
    public static HypothesisTestResult WelchTTest(MetricStatistic control, MetricStatistic treatment, FrequentistOptions? options = null)
    {
        options ??= new FrequentistOptions();
        return WelchTTest(EffectEstimator.Estimate(control, treatment, options.Difference), options);
    }

    /// <summary>Welch's t-test of an effect estimate: t = Δ/SE on the Welch degrees of freedom.</summary>
    public static HypothesisTestResult WelchTTest(EffectEstimate effect, FrequentistOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(effect);
        options ??= new FrequentistOptions();
        Checks.Probability(options.Alpha, nameof(options.Alpha));
        if (!effect.IsValid)
        {
            return HypothesisTestResult.Invalid(effect, options.Alternative, options.Alpha);
        }
        double t = effect.PointEstimate / effect.StandardError;
        double dof = effect.DegreesOfFreedom;
        double estimate = effect.PointEstimate;
        double se = effect.StandardError;
        return options.Alternative switch
        {
            Alternative.Greater => new HypothesisTestResult(effect, t, StudentT.Sf(t, dof),
                estimate - StudentT.Quantile(1 - options.Alpha, dof) * se, double.PositiveInfinity, options.Alternative, options.Alpha),
            Alternative.Less => new HypothesisTestResult(effect, t, StudentT.Cdf(t, dof),
                double.NegativeInfinity, estimate + StudentT.Quantile(1 - options.Alpha, dof) * se, options.Alternative, options.Alpha),
            _ => TwoSided(effect, t, dof, options.Alpha),
        };
    }

    /// <summary>
    /// The two-proportion z-test with pooled variance (statsmodels <c>proportions_ztest([x_T, x_C], [n_T, n_C])</c>),
    /// with an unpooled Wald interval for the difference.
    /// </summary>
    public static ProportionZTestResult TwoProportionZTest(
        long controlSuccesses, long controlN, long treatmentSuccesses, long treatmentN,
        Alternative alternative = Alternative.TwoSided, double alpha = 0.05)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(controlN);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(treatmentN);
        ArgumentOutOfRangeException.ThrowIfNegative(controlSuccesses);
        ArgumentOutOfRangeException.ThrowIfNegative(treatmentSuccesses);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(controlSuccesses, controlN);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(treatmentSuccesses, treatmentN);
        Checks.Probability(alpha, nameof(alpha));
        double pC = (double)controlSuccesses / controlN;
        double pT = (double)treatmentSuccesses / treatmentN;
        double pooled = (double)(controlSuccesses + treatmentSuccesses) / (controlN + treatmentN);
        double difference = pT - pC;
        double z = difference / Math.Sqrt(pooled * (1 - pooled) * (1.0 / controlN + 1.0 / treatmentN));
        double waldSe = Math.Sqrt(pT * (1 - pT) / treatmentN + pC * (1 - pC) / controlN);
        return alternative switch
        {
            Alternative.Greater => new ProportionZTestResult(difference, z, Normal.Sf(z),
                difference - Normal.Quantile(1 - alpha) * waldSe, double.PositiveInfinity),
            Alternative.Less => new ProportionZTestResult(difference, z, Normal.Cdf(z),
                double.NegativeInfinity, difference + Normal.Quantile(1 - alpha) * waldSe),
            _ => new ProportionZTestResult(difference, z, Checks.TwoSidedNormalP(z),
                difference - Normal.Quantile(1 - alpha / 2) * waldSe, difference + Normal.Quantile(1 - alpha / 2) * waldSe),
        };
    }

    private static HypothesisTestResult TwoSided(EffectEstimate effect, double t, double dof, double alpha)
    {
        double p = 2 * StudentT.Sf(Math.Abs(t), dof);
        double half = StudentT.Quantile(1 - alpha / 2, dof) * effect.StandardError;
        return new HypothesisTestResult(effect, t, p, effect.PointEstimate - half, effect.PointEstimate + half, Alternative.TwoSided, alpha);
    }
}
