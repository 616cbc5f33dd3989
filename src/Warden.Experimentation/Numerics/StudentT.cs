using Warden.Numerics;

namespace Warden.Experimentation.Numerics;

/// <summary>Student's t distribution with ν degrees of freedom (ν may be fractional, as Welch's test produces).</summary>
/// <remarks>
/// The distribution function uses P(T ≤ t) = ½ I_x(ν/2, ½) for t &lt; 0 with x = ν/(ν+t²), passing 1 − x = t²/(ν+t²)
/// separately so that neither tail loses precision. The quantile solves the distribution function by safeguarded
/// Newton steps from a Cornish–Fisher or tail-asymptotic start. Above 10¹⁰ degrees of freedom the normal distribution
/// is used (the difference is below 1e-11).
/// </remarks>
public static class StudentT
{
    private const double NormalLimit = 1e10;

    /// <summary>The density of t with ν degrees of freedom.</summary>
    public static double Pdf(double t, double degreesOfFreedom)
    {
        double nu = degreesOfFreedom;
        if (double.IsNaN(t) || double.IsNaN(nu) || nu <= 0)
        {
            return double.NaN;
        }
        if (nu > NormalLimit)
        {
            return Normal.Pdf(t);
        }
        double logDensity = -SpecialFunctions.LogBeta(0.5 * nu, 0.5) - 0.5 * Math.Log(nu)
            - 0.5 * (nu + 1) * SpecialFunctions.Log1P(t * t / nu);
        return Math.Exp(logDensity);
    }

    /// <summary>P(T ≤ t).</summary>
    public static double Cdf(double t, double degreesOfFreedom)
    {
        double nu = degreesOfFreedom;
        if (double.IsNaN(t) || double.IsNaN(nu) || nu <= 0)
        {
            return double.NaN;
        }
        if (nu > NormalLimit)
        {
            return Normal.Cdf(t);
        }
        if (t == 0)
        {
            return 0.5;
        }
        if (double.IsInfinity(t))
        {
            return t > 0 ? 1 : 0;
        }
        double tail = LowerTail(Math.Abs(t), nu);
        return t < 0 ? tail : 1 - tail;
    }

    /// <summary>P(T &gt; t), accurate in the upper tail.</summary>
    public static double Sf(double t, double degreesOfFreedom) => Cdf(-t, degreesOfFreedom);

    /// <summary>The quantile function: the t with P(T ≤ t) = p.</summary>
    public static double Quantile(double p, double degreesOfFreedom)
    {
        double nu = degreesOfFreedom;
        if (double.IsNaN(p) || double.IsNaN(nu) || nu <= 0 || p < 0 || p > 1)
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
        if (p == 0.5)
        {
            return 0;
        }
        if (nu > NormalLimit)
        {
            return Normal.Quantile(p);
        }
        return p > 0.5 ? -LowerQuantile(1 - p, nu) : LowerQuantile(p, nu);
    }

    /// <summary>P(T ≤ −|t|) = ½ I_x(ν/2, ½).</summary>
    private static double LowerTail(double absT, double nu)
    {
        double tSquared = absT * absT;
        double x;
        double y;
        if (tSquared < nu)
        {
            x = nu / (nu + tSquared);
            y = tSquared / (nu + tSquared);
        }
        else
        {
            double ratio = nu / tSquared; // avoids overflow of t² + ν for huge t
            x = ratio / (1 + ratio);
            y = 1 / (1 + ratio);
        }
        return 0.5 * SpecialFunctions.RegularizedIncompleteBeta(0.5 * nu, 0.5, x, y);
    }

    /// <summary>Solves Cdf(t) = p for p &lt; ½ (t &lt; 0).</summary>
    private static double LowerQuantile(double p, double nu)
    {
        double t = StartingPoint(p, nu);
        double low = double.NegativeInfinity; // Cdf(low) < p
        double high = 0;                      // Cdf(high) > p
        for (int i = 0; i < 300; i++)
        {
            double cdf = Cdf(t, nu);
            double error = cdf - p;
            if (error == 0)
            {
                return t;
            }
            if (error < 0)
            {
                low = t;
            }
            else
            {
                high = t;
            }
            double next = t - error / Pdf(t, nu);
            if (!(next > low && next < high) || double.IsNaN(next))
            {
                next = double.IsNegativeInfinity(low) ? 2 * Math.Min(t, -1) : 0.5 * (low + high);
            }
            if (Math.Abs(next - t) <= 2e-16 * Math.Abs(t))
            {
                return next;
            }
            t = next;
        }
        return t;
    }

    private static double StartingPoint(double p, double nu)
    {
        // Cornish–Fisher expansion around the normal quantile, good for moderate ν and p.
        double z = Normal.Quantile(p);
        double z2 = z * z;
        double cornishFisher = z
            + (z2 * z + z) / (4 * nu)
            + (5 * z2 * z2 * z + 16 * z2 * z + 3 * z) / (96 * nu * nu)
            + (3 * Math.Pow(z, 7) + 19 * z2 * z2 * z + 17 * z2 * z - 15 * z) / (384 * nu * nu * nu);
        // Tail asymptote: P(T ≤ t) ≈ (ν/t²)^{ν/2} / (ν B(ν/2, ½)) for t → −∞.
        double logBeta = SpecialFunctions.LogBeta(0.5 * nu, 0.5);
        double tail = -Math.Sqrt(nu) * Math.Exp(-(Math.Log(p) + Math.Log(nu) + logBeta) / nu);
        double errorCornishFisher = Math.Abs(Math.Log(Cdf(cornishFisher, nu) / p));
        double errorTail = Math.Abs(Math.Log(Cdf(tail, nu) / p));
        double start = errorTail < errorCornishFisher || double.IsNaN(errorCornishFisher) ? tail : cornishFisher;
        return start < 0 && !double.IsInfinity(start) ? start : -1;
    }
}
