using Warden.Experimentation.Numerics;

namespace Warden.Experimentation.Analysis;

/// <summary>How the treatment is compared with control.</summary>
public enum DifferenceType
{
    /// <summary>(treatment − control) / control: the lift as a fraction of the baseline.</summary>
    Relative,

    /// <summary>treatment − control, in the metric's units.</summary>
    Absolute,
}

/// <summary>The alternative hypothesis, always stated for treatment against control.</summary>
public enum Alternative
{
    /// <summary>The treatment differs from control.</summary>
    TwoSided,

    /// <summary>The treatment is greater than control (one-sided; the interval is [lower, +∞)).</summary>
    Greater,

    /// <summary>The treatment is less than control (one-sided; the interval is (−∞, upper]).</summary>
    Less,
}

/// <summary>A point estimate of the effect with its standard error: the input of every test in this namespace.</summary>
/// <param name="PointEstimate">Absolute or relative difference, treatment minus control.</param>
/// <param name="StandardError">Standard error of <paramref name="PointEstimate"/>.</param>
/// <param name="DegreesOfFreedom">Welch–Satterthwaite degrees of freedom.</param>
/// <param name="ControlN">Units in control.</param>
/// <param name="TreatmentN">Units in treatment.</param>
/// <param name="Difference">Absolute or relative.</param>
/// <param name="Problem">Why no estimate could be made (empty arm, zero variance, zero baseline), or null.</param>
public sealed record EffectEstimate(
    double PointEstimate,
    double StandardError,
    double DegreesOfFreedom,
    long ControlN,
    long TreatmentN,
    DifferenceType Difference,
    string? Problem = null)
{
    /// <summary>Whether the estimate is usable.</summary>
    public bool IsValid => Problem is null;

    /// <summary>Units in both arms.</summary>
    public long TotalN => ControlN + TreatmentN;
}

/// <summary>
/// Point estimates and standard errors of treatment-versus-control effects from sufficient statistics
/// (gbstats' "effect moments").
/// </summary>
/// <remarks>
/// <para>Absolute: Δ = μ_T − μ_C, Var(Δ) = σ²_T/n_T + σ²_C/n_C.</para>
/// <para>Relative (delta method): Δ = (μ_T − μ_C)/μ_C, Var(Δ) ≈ Var(μ̂_T)/μ_C² + Var(μ̂_C)·μ_T²/μ_C⁴, treating the arms
/// as independent. For CUPED statistics the gradient also covers the pre-period means, with gbstats' simplification
/// of using the unadjusted treatment mean in the control term.</para>
/// <para>Degrees of freedom: Welch–Satterthwaite, (σ²_T/n_T + σ²_C/n_C)² / (σ⁴_T/(n_T²(n_T−1)) + σ⁴_C/(n_C²(n_C−1))).</para>
/// </remarks>
public static class EffectEstimator
{
    /// <summary>Estimates the effect of <paramref name="treatment"/> against <paramref name="control"/>.</summary>
    public static EffectEstimate Estimate(MetricStatistic control, MetricStatistic treatment, DifferenceType difference = DifferenceType.Relative)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(treatment);
        long nA = control.N;
        long nB = treatment.N;
        if (control is CupedStatistic cupedA && treatment is CupedStatistic cupedB && cupedA.Theta != cupedB.Theta)
        {
            throw new ArgumentException("Both CUPED arms must use the same theta; use Cuped.Adjust.", nameof(treatment));
        }
        if (nA == 0 || nB == 0)
        {
            return Invalid("An arm has no units.");
        }
        double varA = control.Variance;
        double varB = treatment.Variance;
        if (!(varA > 0) || !(varB > 0))
        {
            return Invalid("The metric has zero or negative variance in an arm.");
        }
        double dof = WelchDegreesOfFreedom(varA, nA, varB, nB);
        if (difference == DifferenceType.Absolute)
        {
            double se = Math.Sqrt(varB / nB + varA / nA);
            return new EffectEstimate(treatment.Mean - control.Mean, se, dof, nA, nB, difference);
        }
        double baseline = control.UnadjustedMean;
        if (baseline == 0 || control.Mean == 0)
        {
            return Invalid("The control mean is zero, so a relative effect is undefined.");
        }
        double point = (treatment.Mean - control.Mean) / baseline;
        double variance = control is CupedStatistic a && treatment is CupedStatistic b
            ? RelativeCupedVariance(a, b)
            : VarianceOfRatio(treatment.UnadjustedMean, varB / nB, baseline, varA / nA, 0);
        return new EffectEstimate(point, Math.Sqrt(variance), dof, nA, nB, difference);

        EffectEstimate Invalid(string problem) => new(double.NaN, double.NaN, double.NaN, nA, nB, difference, problem);
    }

    /// <summary>Welch–Satterthwaite degrees of freedom (1 when an arm has fewer than two units or no variance).</summary>
    public static double WelchDegreesOfFreedom(double varianceA, long nA, double varianceB, long nB)
    {
        if (nA <= 1 || nB <= 1 || varianceA == 0 || varianceB == 0)
        {
            return 1;
        }
        double a = varianceA / nA;
        double b = varianceB / nB;
        return (a + b) * (a + b) / (b * b / (nB - 1) + a * a / (nA - 1));
    }

    /// <summary>Delta-method variance of M/D given the variances of M and D and their covariance.</summary>
    public static double VarianceOfRatio(double meanM, double varianceM, double meanD, double varianceD, double covariance) =>
        varianceM / (meanD * meanD)
        + varianceD * meanM * meanM / Math.Pow(meanD, 4)
        - 2 * covariance * meanM / Math.Pow(meanD, 3);

    private static double RelativeCupedVariance(CupedStatistic a, CupedStatistic b)
    {
        double baseline = a.UnadjustedMean;
        double theta = a.Theta;
        double denominatorTreatment = b.N * baseline * baseline;
        double denominatorControl = a.N * baseline * baseline;
        double numeratorTreatment = b.Post.Variance + theta * theta * b.Pre.Variance - 2 * theta * b.Covariance;
        double gradient = -b.Post.Mean;
        double numeratorControl = a.Post.Variance * gradient * gradient / (a.Post.Mean * a.Post.Mean)
            + 2 * theta * a.Covariance * gradient / a.Post.Mean
            + theta * theta * a.Pre.Variance;
        return numeratorTreatment / denominatorTreatment + numeratorControl / denominatorControl;
    }
}

/// <summary>A hypothesis test of treatment against control: estimate, statistic, p-value and interval.</summary>
/// <param name="Effect">The effect estimate tested.</param>
/// <param name="Statistic">t or z statistic (NaN when the estimate is invalid).</param>
/// <param name="PValue">p-value (1 when the estimate is invalid).</param>
/// <param name="CiLower">Lower confidence bound (−∞ for <see cref="Alternative.Less"/>).</param>
/// <param name="CiUpper">Upper confidence bound (+∞ for <see cref="Alternative.Greater"/>).</param>
/// <param name="Alternative">The alternative hypothesis.</param>
/// <param name="Alpha">The significance level.</param>
public sealed record HypothesisTestResult(
    EffectEstimate Effect,
    double Statistic,
    double PValue,
    double CiLower,
    double CiUpper,
    Alternative Alternative,
    double Alpha)
{
    /// <summary>The point estimate.</summary>
    public double Estimate => Effect.PointEstimate;

    /// <summary>The standard error of the estimate.</summary>
    public double StandardError => Effect.StandardError;

    /// <summary>Whether p &lt; α.</summary>
    public bool IsSignificant => Effect.IsValid && PValue < Alpha;

    internal static HypothesisTestResult Invalid(EffectEstimate effect, Alternative alternative, double alpha) =>
        new(effect, double.NaN, 1, double.NaN, double.NaN, alternative, alpha);
}

internal static class Checks
{
    public static void Probability(double value, string name)
    {
        if (!(value > 0 && value < 1))
        {
            throw new ArgumentOutOfRangeException(name, value, "Must lie strictly between 0 and 1.");
        }
    }

    public static double TwoSidedNormalP(double z) => 2 * Normal.Sf(Math.Abs(z));
}
