using Warden.Numerics;

namespace Warden.Experimentation.Numerics;

/// <summary>The normal distribution: density, distribution function, survival function and quantile.</summary>
/// <remarks>
/// Φ is computed from the regularized incomplete gamma function (Φ(x) = ½ Q(½, x²/2) for x &lt; 0), which keeps full
/// relative precision deep into the lower tail. The quantile starts from Acklam's rational approximation (relative
/// error 1.15e-9) and is refined by Halley steps against Φ, giving results within a few ulps of scipy.stats.norm.ppf.
/// </remarks>
public static class Normal
{
    private static readonly double SqrtTwoPi = Math.Sqrt(2 * Math.PI);

    // Acklam's coefficients for the central and tail regions of the inverse normal CDF.
    private static readonly double[] A = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
    private static readonly double[] B = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
    private static readonly double[] C = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
    private static readonly double[] D = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
    private const double LowRegion = 0.02425;

    /// <summary>The standard normal density φ(x).</summary>
    public static double Pdf(double x) => Math.Exp(-0.5 * x * x) / SqrtTwoPi;

    /// <summary>The standard normal distribution function Φ(x) = P(Z ≤ x).</summary>
    public static double Cdf(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }
        double half = 0.5 * x * x;
        return x < 0
            ? 0.5 * SpecialFunctions.RegularizedGammaQ(0.5, half)
            : 0.5 + 0.5 * SpecialFunctions.RegularizedGammaP(0.5, half);
    }

    /// <summary>The survival function 1 − Φ(x) = P(Z &gt; x), accurate in the upper tail.</summary>
    public static double Sf(double x) => Cdf(-x);

    /// <summary>P(X ≤ x) for X ~ N(mean, standardDeviation²).</summary>
    public static double Cdf(double x, double mean, double standardDeviation) => Cdf((x - mean) / standardDeviation);

    /// <summary>The quantile function Φ⁻¹(p) for 0 &lt; p &lt; 1 (−∞ at 0, +∞ at 1).</summary>
    public static double Quantile(double p)
    {
        if (double.IsNaN(p) || p < 0 || p > 1)
        {
            return double.NaN;
        }
        if (p == 0)
        {
            return double.NegativeInfinity;
        }
        if (p == 1)
        {
            return double.PositiveInfinity;
        }
        if (p > 0.5)
        {
            return -Quantile(1 - p);
        }
        double x = Acklam(p);
        // Halley refinement against the accurate distribution function (two steps take 1e-9 to full precision).
        for (int i = 0; i < 3; i++)
        {
            double error = Cdf(x) - p;
            double u = error * SqrtTwoPi * Math.Exp(0.5 * x * x);
            double step = u / (1 + 0.5 * x * u);
            x -= step;
            if (Math.Abs(step) <= 1e-16 * Math.Abs(x))
            {
                break;
            }
        }
        return x;
    }

    /// <summary>The quantile of N(mean, standardDeviation²).</summary>
    public static double Quantile(double p, double mean, double standardDeviation) => mean + standardDeviation * Quantile(p);

    private static double Acklam(double p)
    {
        if (p < LowRegion)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
                / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
        }
        double r = p - 0.5;
        double s = r * r;
        return (((((A[0] * s + A[1]) * s + A[2]) * s + A[3]) * s + A[4]) * s + A[5]) * r
            / (((((B[0] * s + B[1]) * s + B[2]) * s + B[3]) * s + B[4]) * s + 1);
    }
}
