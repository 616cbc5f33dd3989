namespace Warden.Experimentation.Analysis;

/// <summary>Options of the always-valid sequential test.</summary>
public sealed record SequentialOptions
{
    /// <summary>Significance level (0.05 by default).</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>
    /// The tuning parameter N*: the total sample size (both arms) at which the confidence sequence is tightest.
    /// GrowthBook's default is 5000; set it near the sample size you expect when you will most likely decide.
    /// </summary>
    public double TuningParameter { get; init; } = 5000;

    /// <summary>Relative (default) or absolute effect.</summary>
    public DifferenceType Difference { get; init; } = DifferenceType.Relative;

    /// <summary>Two-sided by default.</summary>
    public Alternative Alternative { get; init; } = Alternative.TwoSided;
}

/// <summary>
/// Always-valid inference for experiments that are looked at continuously: the asymptotic confidence sequences of
/// Waudby-Smith, Arnold, Wu, Chugg, Ramdas et al. ("Time-uniform central limit theory and asymptotic confidence
/// sequences", arXiv:2103.06476, eq. 9 and 155, with ρ from eq. 161), exactly as GrowthBook's gbstats implements them.
/// </summary>
/// <remarks>
/// <para>With n the total sample size, s² = SE²·n the per-observation variance of the estimate and the mixing parameter
/// ρ = √((−2 ln α + ln(−2 ln α + 1)) / N*), the two-sided half-width is √(s²) · √(2(nρ² + 1) ln(√(nρ² + 1)/α) / (nρ)²)
/// and the always-valid p-value is min(1, 1/E) with the mixture e-value E = exp(ρ² S / (2(nρ² + 1))) / √(nρ² + 1),
/// S = Δ² n / SE². The probability that the sequence ever excludes the true effect, over the whole (unbounded)
/// monitoring period, is at most α, so stopping as soon as it excludes zero is valid.</para>
/// <para>One-sided sequences use ρ computed at 2α and the half-width √(s²·2(nρ²+1)/(nρ)² · ln(1 + √(nρ²+1)/(2α)));
/// their p-value is found by bisection on α, as in gbstats.</para>
/// </remarks>
public static class SequentialTests
{
    /// <summary>The sequential test of treatment against control.</summary>
    public static HypothesisTestResult Test(MetricStatistic control, MetricStatistic treatment, SequentialOptions? options = null)
    {
        options ??= new SequentialOptions();
        return Test(EffectEstimator.Estimate(control, treatment, options.Difference), options);
    }

    /// <summary>The sequential test of an effect estimate.</summary>
    public static HypothesisTestResult Test(EffectEstimate effect, SequentialOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(effect);
        options ??= new SequentialOptions();
        Checks.Probability(options.Alpha, nameof(options.Alpha));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.TuningParameter);
        if (!effect.IsValid)
        {
            return HypothesisTestResult.Invalid(effect, options.Alternative, options.Alpha);
        }
        double n = effect.TotalN;
        double estimate = effect.PointEstimate;
        double se = effect.StandardError;
        double s2 = se * se * n;
        double statistic = estimate / se;
        if (options.Alternative == Alternative.TwoSided)
        {
            double rho = Rho(options.Alpha, options.TuningParameter, twoSided: true);
            double half = TwoSidedHalfWidth(s2, n, options.Alpha, rho);
            return new HypothesisTestResult(effect, statistic, TwoSidedPValue(estimate, se, n, rho),
                estimate - half, estimate + half, Alternative.TwoSided, options.Alpha);
        }
        if (options.Alpha >= 0.5)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Alpha, "One-sided sequential tests need alpha below 0.5.");
        }
        bool lesser = options.Alternative == Alternative.Less;
        double oneSidedRho = Rho(options.Alpha, options.TuningParameter, twoSided: false);
        double width = OneSidedHalfWidth(s2, n, options.Alpha, oneSidedRho);
        double p = OneSidedPValue(estimate, s2, n, oneSidedRho, lesser);
        return lesser
            ? new HypothesisTestResult(effect, statistic, p, double.NegativeInfinity, estimate + width, options.Alternative, options.Alpha)
            : new HypothesisTestResult(effect, statistic, p, estimate - width, double.PositiveInfinity, options.Alternative, options.Alpha);
    }

    /// <summary>The mixing parameter ρ = √((−2 ln a + ln(−2 ln a + 1)) / N*), with a = α two-sided and 2α one-sided.</summary>
    public static double Rho(double alpha, double tuningParameter, bool twoSided = true)
    {
        double a = twoSided ? alpha : 2 * alpha;
        double logA = Math.Log(a);
        return Math.Sqrt((-2 * logA + Math.Log(-2 * logA + 1)) / tuningParameter);
    }

    /// <summary>Half-width of the two-sided confidence sequence for per-observation variance s² after n observations.</summary>
    public static double TwoSidedHalfWidth(double s2, double n, double alpha, double rho)
    {
        double nRho = n * rho;
        double nRho2 = nRho * rho;
        return Math.Sqrt(s2) * Math.Sqrt(2 * (nRho2 + 1) * Math.Log(Math.Sqrt(nRho2 + 1) / alpha) / (nRho * nRho));
    }

    /// <summary>Half-width of the one-sided confidence sequence.</summary>
    public static double OneSidedHalfWidth(double s2, double n, double alpha, double rho)
    {
        double nRho = n * rho;
        double nRho2 = n * rho * rho;
        return Math.Sqrt(s2 * (2 * (nRho2 + 1) / (nRho * nRho)) * Math.Log(1 + Math.Sqrt(nRho2 + 1) / (2 * alpha)));
    }

    /// <summary>
    /// The always-valid two-sided p-value min(1, 1/E), where E = exp(ρ² S / (2(nρ² + 1))) / √(nρ² + 1) is the mixture
    /// e-value and S = Δ²·n/SE² (gbstats' parameterisation of eq. 155).
    /// </summary>
    public static double TwoSidedPValue(double estimate, double standardError, double n, double rho)
    {
        double st2 = estimate * estimate * n / (standardError * standardError);
        double tr2p1 = n * rho * rho + 1;
        double logE = rho * rho * st2 / (2 * tr2p1) - 0.5 * Math.Log(tr2p1);
        return Math.Min(Math.Exp(-logE), 1);
    }

    private static double OneSidedPValue(double estimate, double s2, double n, double rho, bool lesser)
    {
        // gbstats: bisect α in [1e-5, 0.4999] until the bound of the α-level sequence touches zero (tolerance 1e-6).
        const double Tolerance = 1e-6;
        const int MaxIterations = 100;
        double minAlpha = 1e-5;
        double maxAlpha = 0.4999;
        double Bound(double alpha)
        {
            double w = OneSidedHalfWidth(s2, n, alpha, rho);
            return lesser ? estimate + w : estimate - w;
        }
        double small = Bound(minAlpha);
        if (lesser ? small < 0 : small > 0)
        {
            return minAlpha;
        }
        double big = Bound(maxAlpha);
        if (lesser ? big > 0 : big < 0)
        {
            return maxAlpha;
        }
        double alphaNow = 0.5 * (minAlpha + maxAlpha);
        double difference = 0;
        int iterations = 0;
        for (int i = 0; i < MaxIterations; i++)
        {
            iterations = i;
            difference = Bound(alphaNow);
            bool moveMinimum = lesser ? difference > 0 : difference < 0;
            if (moveMinimum)
            {
                minAlpha = alphaNow;
            }
            else
            {
                maxAlpha = alphaNow;
            }
            alphaNow = 0.5 * (minAlpha + maxAlpha);
            if (Math.Abs(difference) < Tolerance)
            {
                break;
            }
        }
        return Math.Abs(difference) < Tolerance && iterations != MaxIterations ? alphaNow : double.NaN;
    }
}
