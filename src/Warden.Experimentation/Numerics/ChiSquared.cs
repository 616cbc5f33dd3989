using Warden.Numerics;

namespace Warden.Experimentation.Numerics;

/// <summary>The chi-squared distribution with k degrees of freedom.</summary>
public static class ChiSquared
{
    /// <summary>P(X ≤ x) = P(k/2, x/2).</summary>
    public static double Cdf(double x, double degreesOfFreedom)
    {
        if (double.IsNaN(x) || double.IsNaN(degreesOfFreedom) || degreesOfFreedom <= 0)
        {
            return double.NaN;
        }
        return x <= 0 ? 0 : SpecialFunctions.RegularizedGammaP(0.5 * degreesOfFreedom, 0.5 * x);
    }

    /// <summary>The survival function P(X &gt; x) = Q(k/2, x/2), accurate in the upper tail (p-values).</summary>
    public static double Sf(double x, double degreesOfFreedom)
    {
        if (double.IsNaN(x) || double.IsNaN(degreesOfFreedom) || degreesOfFreedom <= 0)
        {
            return double.NaN;
        }
        return x <= 0 ? 1 : SpecialFunctions.RegularizedGammaQ(0.5 * degreesOfFreedom, 0.5 * x);
    }
}
