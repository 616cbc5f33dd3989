using Warden.Experimentation.Numerics;

namespace Warden.Experimentation.Analysis;

/// <summary>
/// Sample size per arm to detect a minimum detectable effect (MDE) with a two-sided test at level α with the given
/// power, matching statsmodels: <c>NormalIndPower().solve_power</c> (both tails counted) for means and for proportions
/// on Cohen's h scale, and <c>samplesize_proportions_2indep_onetail</c> for proportions with the null variance pooled.
/// </summary>
/// <remarks>Results are the exact real solutions (the control arm's n); round up to whole units.</remarks>
public static class PowerAnalysis
{
    /// <summary>
    /// Power of the two-sided z-test with standardized effect d and n₁ control units, n₂ = ratio·n₁:
    /// Φ(d√n_eff − z_{1−α/2}) + Φ(−d√n_eff − z_{1−α/2}) with n_eff = 1/(1/n₁ + 1/n₂).
    /// </summary>
    public static double Power(double effectSize, double controlN, double alpha = 0.05, double ratio = 1)
    {
        Checks.Probability(alpha, nameof(alpha));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratio);
        double nEffective = 1 / (1 / controlN + 1 / (controlN * ratio));
        double critical = Normal.Quantile(1 - alpha / 2);
        double shift = Math.Abs(effectSize) * Math.Sqrt(nEffective);
        return Normal.Sf(critical - shift) + Normal.Cdf(-critical - shift);
    }

    /// <summary>Control units needed to detect a difference of means <paramref name="mde"/> with standard deviation σ.</summary>
    public static double SampleSizeForMeans(double mde, double standardDeviation, double alpha = 0.05, double power = 0.8, double ratio = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(standardDeviation);
        return SolveForEffectSize(mde / standardDeviation, alpha, power, ratio);
    }

    /// <summary>Cohen's h = 2 asin √p₂ − 2 asin √p₁, the variance-stabilised difference of two proportions.</summary>
    public static double CohenH(double baseline, double treatment) =>
        2 * Math.Asin(Math.Sqrt(treatment)) - 2 * Math.Asin(Math.Sqrt(baseline));

    /// <summary>Units per arm to detect <paramref name="baseline"/> → <paramref name="treatment"/> on the arcsine (Cohen's h) scale.</summary>
    public static double SampleSizeForProportions(double baseline, double treatment, double alpha = 0.05, double power = 0.8) =>
        SolveForEffectSize(CohenH(baseline, treatment), alpha, power, 1);

    /// <summary>
    /// Control units to detect <paramref name="baseline"/> → <paramref name="treatment"/> with the usual normal
    /// approximation: n₁ = ((z_{1−α/2} σ₀ + z_{power} σ₁)/δ)², σ₀ from the pooled proportion and σ₁ from the two
    /// proportions (statsmodels samplesize_proportions_2indep_onetail; only the relevant tail is counted).
    /// </summary>
    public static double SampleSizeForProportionsUnpooled(double baseline, double treatment, double alpha = 0.05, double power = 0.8, double ratio = 1)
    {
        Checks.Probability(alpha, nameof(alpha));
        Checks.Probability(power, nameof(power));
        Checks.Probability(baseline, nameof(baseline));
        Checks.Probability(treatment, nameof(treatment));
        double difference = treatment - baseline;
        if (difference == 0)
        {
            throw new ArgumentException("The proportions must differ.", nameof(treatment));
        }
        double pooled = (treatment + baseline * ratio) / (1 + ratio);
        double sdNull = Math.Sqrt(pooled * (1 - pooled) + pooled * (1 - pooled) / ratio);
        double sdAlternative = Math.Sqrt(treatment * (1 - treatment) + baseline * (1 - baseline) / ratio);
        double critical = Normal.Quantile(1 - alpha / 2);
        double criticalPower = Normal.Quantile(power);
        double root = (critical * sdNull + criticalPower * sdAlternative) / difference;
        return root * root;
    }

    private static double SolveForEffectSize(double effectSize, double alpha, double power, double ratio)
    {
        Checks.Probability(alpha, nameof(alpha));
        Checks.Probability(power, nameof(power));
        if (effectSize == 0 || double.IsNaN(effectSize))
        {
            throw new ArgumentException("The effect size must be non-zero.", nameof(effectSize));
        }
        if (power <= alpha)
        {
            throw new ArgumentOutOfRangeException(nameof(power), power, "Power must exceed alpha.");
        }
        // Ignoring the far tail gives an upper bound; the exact root lies below it. Bisect to full precision.
        double d = Math.Abs(effectSize);
        double oneTail = (Normal.Quantile(1 - alpha / 2) + Normal.Quantile(power)) / d;
        double high = oneTail * oneTail * (1 + ratio) / ratio;
        double low = 0;
        for (int i = 0; i < 200 && high - low > 1e-13 * high; i++)
        {
            double middle = 0.5 * (low + high);
            if (Power(d, middle, alpha, ratio) < power)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }
        return 0.5 * (low + high);
    }
}
