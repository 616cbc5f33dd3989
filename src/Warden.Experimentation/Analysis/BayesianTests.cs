using Warden.Experimentation.Numerics;

namespace Warden.Experimentation.Analysis;

/// <summary>A normal prior on the effect.</summary>
/// <param name="Mean">Prior mean of the effect.</param>
/// <param name="Variance">Prior variance of the effect.</param>
/// <param name="Proper">When false the prior is flat (improper) and the posterior equals the likelihood, as gbstats' default.</param>
public sealed record GaussianPrior(double Mean = 0, double Variance = 1, bool Proper = false);

/// <summary>Options of the Bayesian test.</summary>
public sealed record BayesianOptions
{
    /// <summary>The prior on the effect (flat by default).</summary>
    public GaussianPrior Prior { get; init; } = new();

    /// <summary>Whether <see cref="Prior"/> is stated on the relative (default) or absolute scale; it is rescaled by the control mean when the scales differ.</summary>
    public DifferenceType PriorScale { get; init; } = DifferenceType.Relative;

    /// <summary>Relative (default) or absolute effect.</summary>
    public DifferenceType Difference { get; init; } = DifferenceType.Relative;

    /// <summary>1 − credibility of the interval (0.05 gives a 95% credible interval).</summary>
    public double Alpha { get; init; } = 0.05;

    /// <summary>True when lower is better (for example latency or error rate): chance to win and risk are mirrored.</summary>
    public bool Inverse { get; init; }
}

/// <summary>The posterior of the effect and the decision quantities derived from it.</summary>
/// <param name="Effect">The data's effect estimate (the likelihood).</param>
/// <param name="Expected">Posterior mean of the effect.</param>
/// <param name="StandardDeviation">Posterior standard deviation.</param>
/// <param name="CiLower">Lower bound of the equal-tailed credible interval.</param>
/// <param name="CiUpper">Upper bound of the equal-tailed credible interval.</param>
/// <param name="ChanceToWin">Posterior probability that the treatment beats control (P(effect &gt; 0), or &lt; 0 when inverse).</param>
/// <param name="RiskControl">Expected loss of shipping control: E[max(effect, 0)] (mirrored when inverse).</param>
/// <param name="RiskTreatment">Expected loss of shipping the treatment: E[max(−effect, 0)] (mirrored when inverse).</param>
public sealed record BayesianResult(
    EffectEstimate Effect,
    double Expected,
    double StandardDeviation,
    double CiLower,
    double CiUpper,
    double ChanceToWin,
    double RiskControl,
    double RiskTreatment)
{
    /// <summary>Why no posterior could be computed, or null.</summary>
    public string? Problem => Effect.Problem;
}

/// <summary>
/// Bayesian A/B analysis as gbstats' EffectBayesianABTest: a normal likelihood for the effect, N(Δ̂, SE²), combined with
/// a normal prior N(μ₀, σ₀²) into the posterior N(μ₁, σ₁²) with 1/σ₁² = 1/SE² + 1/σ₀² and μ₁ = σ₁²(Δ̂/SE² + μ₀/σ₀²).
/// </summary>
/// <remarks>
/// Chance to win = P(effect &gt; 0) = Φ(μ₁/σ₁). Risk (expected loss) is computed in closed form:
/// E[max(X, 0)] = μ₁Φ(μ₁/σ₁) + σ₁φ(μ₁/σ₁) and E[max(−X, 0)] = −μ₁Φ(−μ₁/σ₁) + σ₁φ(μ₁/σ₁), identical to gbstats'
/// truncated-normal form P(X &gt; 0)·E[X | X &gt; 0].
/// </remarks>
public static class BayesianTests
{
    /// <summary>The Bayesian comparison of treatment against control.</summary>
    public static BayesianResult Test(MetricStatistic control, MetricStatistic treatment, BayesianOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(control);
        options ??= new BayesianOptions();
        return Test(EffectEstimator.Estimate(control, treatment, options.Difference), control.UnadjustedMean, options);
    }

    /// <summary>The Bayesian analysis of an effect estimate; <paramref name="controlMean"/> rescales a prior given on the other scale.</summary>
    public static BayesianResult Test(EffectEstimate effect, double controlMean, BayesianOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(effect);
        options ??= new BayesianOptions();
        Checks.Probability(options.Alpha, nameof(options.Alpha));
        if (!effect.IsValid)
        {
            return new BayesianResult(effect, double.NaN, double.NaN, double.NaN, double.NaN, 0.5, double.NaN, double.NaN);
        }
        GaussianPrior prior = Rescale(options.Prior, options.PriorScale, effect.Difference, controlMean);
        double dataVariance = effect.StandardError * effect.StandardError;
        double precision = 1 / dataVariance + (prior.Proper ? 1 / prior.Variance : 0);
        double mean = prior.Proper
            ? (effect.PointEstimate / dataVariance + prior.Mean / prior.Variance) / precision
            : effect.PointEstimate;
        double sd = Math.Sqrt(1 / precision);
        double z = mean / sd;
        double upside = mean * Normal.Cdf(z) + sd * Normal.Pdf(z);     // E[max(X, 0)]
        double downside = -mean * Normal.Cdf(-z) + sd * Normal.Pdf(z); // E[max(−X, 0)]
        double chance = options.Inverse ? Normal.Cdf(-z) : Normal.Cdf(z);
        (double riskControl, double riskTreatment) = options.Inverse ? (downside, upside) : (upside, downside);
        return new BayesianResult(effect, mean, sd,
            Normal.Quantile(options.Alpha / 2, mean, sd), Normal.Quantile(1 - options.Alpha / 2, mean, sd),
            chance, riskControl, riskTreatment);
    }

    private static GaussianPrior Rescale(GaussianPrior prior, DifferenceType priorScale, DifferenceType difference, double controlMean)
    {
        if (!prior.Proper || priorScale == difference)
        {
            return prior;
        }
        if (controlMean == 0)
        {
            throw new ArgumentException("A prior on the other scale cannot be rescaled when the control mean is zero.", nameof(controlMean));
        }
        double scale = Math.Abs(controlMean);
        return difference == DifferenceType.Relative
            ? prior with { Mean = prior.Mean / scale, Variance = prior.Variance / (scale * scale) }
            : prior with { Mean = prior.Mean * scale, Variance = prior.Variance * scale * scale };
    }
}
