using Warden.Numerics;

namespace Warden.Statistics.Internal;

/// <summary>
/// The distribution of the two-sided one-sample Kolmogorov–Smirnov statistic D_n, as SciPy's
/// <c>scipy.stats.kstwo</c> computes it (scipy/stats/_ksstats.py, Simard and L'Ecuyer 2011): Ruben–Gambino
/// closed forms at the ends, Durbin's matrix (Marsaglia–Tsang–Wang), Pomeranz's recursion, the Pelz–Good
/// asymptotic series, and twice the one-sided Smirnov tail where the two tails cannot overlap.
/// <c>ks_2samp</c> evaluates this at n = round(n1 n2 / (n1 + n2)) for its asymptotic p-value.
/// </summary>
internal static class KolmogorovDistribution
{
    private const int Exponent128 = 128;
    private static readonly double Power128 = Math.ScaleB(1.0, Exponent128);
    private static readonly double PowerMinus128 = Math.ScaleB(1.0, -Exponent128);
    private const double MinLog = -745.1332191019412; // cephes MINLOG = log(2^-1075)
    private const int SmirnovMaxComputeN = 1_000_000;

    private static readonly double[] StirlingCoefficients =
    [
        -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3, 8.4175084175084175084e-4,
        -5.952380952380952381e-4, 7.9365079365079365079e-4, -2.7777777777777777778e-3, 8.3333333333333333333e-2,
    ];

    /// <summary>Pr(D_n ≥ x): <c>scipy.stats.kstwo.sf(x, n)</c>.</summary>
    public static double Sf(int n, double x)
    {
        if (n < 1 || double.IsNaN(x))
        {
            return double.NaN;
        }

        // rv_continuous: 1 at or below the support's lower end 0.5/n, 0 at or above its upper end 1.
        if (x <= 0.5 / n)
        {
            return 1.0;
        }

        if (x >= 1.0)
        {
            return 0.0;
        }

        return Kolmogn(n, x, cdf: false);
    }

    /// <summary>Pr(D_n ≤ x): <c>scipy.stats.kstwo.cdf(x, n)</c>.</summary>
    public static double Cdf(int n, double x)
    {
        if (n < 1 || double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x <= 0.5 / n)
        {
            return 0.0;
        }

        if (x >= 1.0)
        {
            return 1.0;
        }

        return Kolmogn(n, x, cdf: true);
    }

    private static double Clip(double p) => p < 0 ? 0 : p > 1 ? 1 : p;

    private static double Select(double cdfProbability, double sfProbability, bool cdf) =>
        Clip(cdf ? cdfProbability : sfProbability);

    private static double Kolmogn(int n, double x, bool cdf)
    {
        if (x >= 1.0)
        {
            return Select(1.0, 0.0, cdf);
        }

        if (x <= 0.0)
        {
            return Select(0.0, 1.0, cdf);
        }

        var t = n * x;
        if (t <= 1.0)
        {
            // Ruben–Gambino: 1/(2n) ≤ x ≤ 1/n.
            if (t <= 0.5)
            {
                return Select(0.0, 1.0, cdf);
            }

            double probability;
            if (n <= 140)
            {
                probability = 1.0;
                var factor = 2 * t - 1;
                for (var i = 1; i <= n; i++)
                {
                    probability *= i * (1.0 / n) * factor;
                }
            }
            else
            {
                probability = Math.Exp(LogNFactorialOverNPowerN(n) + n * Math.Log(2 * t - 1));
            }

            return Select(probability, 1.0 - probability, cdf);
        }

        if (t >= n - 1)
        {
            // Ruben–Gambino at the upper end.
            var probability = 2 * Math.Pow(1.0 - x, n);
            return Select(1 - probability, probability, cdf);
        }

        if (x >= 0.5)
        {
            // The two one-sided tails cannot both exceed x: exactly twice the Smirnov tail.
            var probability = 2 * SmirnovSf(n, x);
            return Select(1.0 - probability, probability, cdf);
        }

        var nxSquared = t * x;
        if (n <= 140)
        {
            if (nxSquared <= 0.754693)
            {
                var probability = Durbin(n, x);
                return Select(probability, 1.0 - probability, cdf);
            }

            if (nxSquared <= 4)
            {
                var probability = Pomeranz(n, x);
                return Select(probability, 1.0 - probability, cdf);
            }

            var twice = 2 * SmirnovSf(n, x);
            return Select(1.0 - twice, twice, cdf);
        }

        if (!cdf)
        {
            if (nxSquared >= 370.0)
            {
                return 0.0;
            }

            if (nxSquared >= 2.2)
            {
                return Clip(2 * SmirnovSf(n, x));
            }
        }

        double cdfProbability;
        if (nxSquared >= 18.0)
        {
            cdfProbability = 1.0;
        }
        else if (n <= 100_000 && n * Math.Pow(x, 1.5) <= 1.4)
        {
            cdfProbability = Durbin(n, x);
        }
        else
        {
            cdfProbability = PelzGood(n, x);
        }

        return Select(cdfProbability, 1.0 - cdfProbability, cdf);
    }

    /// <summary>log(n! / n^n) by Stirling's series with n log n removed up front.</summary>
    private static double LogNFactorialOverNPowerN(int n)
    {
        var rn = 1.0 / n;
        var z = rn / n;
        var polynomial = 0.0;
        foreach (var c in StirlingCoefficients)
        {
            polynomial = polynomial * z + c;
        }

        return Math.Log(n) / 2 - n + SpecialFunctions.LogSqrtTwoPi + rn * polynomial;
    }

    /// <summary>Pr(D_n ≤ d) by Durbin's matrix method as Marsaglia, Tsang and Wang evaluate it: the k-th diagonal
    /// entry of H^n (n!/n^n), with H of order 2k - 1 raised by repeated squaring and rescaled to stay in range.</summary>
    private static double Durbin(int n, double d)
    {
        if (d >= 1.0)
        {
            return 1.0;
        }

        var nd = n * d;
        if (nd <= 0.5)
        {
            return 0.0;
        }

        var k = (int)Math.Ceiling(nd);
        var h = k - nd;
        var m = 2 * k - 1;
        var matrix = new double[m * m];
        var v = new double[m];
        var w = new double[m];
        var factorial = 1.0;
        for (var j = 1; j <= m; j++)
        {
            v[j - 1] = 1.0 - Math.Pow(h, j);
            w[j - 1] = factorial;
            factorial /= j;
            v[j - 1] *= factorial;
        }

        var tt = Math.Pow(Math.Max(2 * h - 1.0, 0), m) - 2 * Math.Pow(h, m);
        v[m - 1] = (1.0 + tt) * factorial;
        for (var i = 1; i < m; i++)
        {
            // H[i-1:, i] = w[:m-i+1]
            for (var r = i - 1; r < m; r++)
            {
                matrix[r * m + i] = w[r - (i - 1)];
            }
        }

        for (var r = 0; r < m; r++)
        {
            matrix[r * m] = v[r];
        }

        for (var c = 0; c < m; c++)
        {
            matrix[(m - 1) * m + c] = v[m - 1 - c];
        }

        var power = new double[m * m];
        for (var i = 0; i < m; i++)
        {
            power[i * m + i] = 1.0;
        }

        var scratch = new double[m * m];
        var remaining = n;
        var exponent = 0;
        var matrixExponent = 0;
        while (remaining > 0)
        {
            if (remaining % 2 == 1)
            {
                Multiply(power, matrix, scratch, m);
                (power, scratch) = (scratch, power);
                exponent += matrixExponent;
            }

            Multiply(matrix, matrix, scratch, m);
            (matrix, scratch) = (scratch, matrix);
            matrixExponent *= 2;
            if (Math.Abs(matrix[(k - 1) * m + (k - 1)]) > Power128)
            {
                for (var i = 0; i < matrix.Length; i++)
                {
                    matrix[i] /= Power128;
                }

                matrixExponent += Exponent128;
            }

            remaining /= 2;
        }

        var p = power[(k - 1) * m + (k - 1)];
        for (var i = 1; i <= n; i++)
        {
            p = i * p / n;
            if (Math.Abs(p) < PowerMinus128)
            {
                p *= Power128;
                exponent -= Exponent128;
            }
        }

        if (exponent != 0)
        {
            p = Math.ScaleB(p, exponent);
        }

        return Clip(p);
    }

    private static void Multiply(double[] a, double[] b, double[] result, int m)
    {
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < m; j++)
            {
                var sum = 0.0;
                for (var l = 0; l < m; l++)
                {
                    sum += a[i * m + l] * b[l * m + j];
                }

                result[i * m + j] = sum;
            }
        }
    }

    private static (int Start, int End) PomeranzInterval(int i, int n, int ll, int ceilF, int roundF)
    {
        int j1;
        int j2;
        if (i == 0)
        {
            j1 = -ll - ceilF - 1;
            j2 = ll + ceilF - 1;
        }
        else
        {
            var half = (i + 1) / 2;
            var odd = (i + 1) % 2;
            if (odd == 0)
            {
                // i is odd
                if (half == n + 1)
                {
                    j1 = n - ll - ceilF - 1;
                    j2 = n + ll + ceilF - 1;
                }
                else
                {
                    j1 = half - 1 - ll - roundF - 1;
                    j2 = half + ll - 1 + ceilF - 1;
                }
            }
            else
            {
                j1 = half - 1 - ll - 1;
                j2 = half + ll + roundF - 1;
            }
        }

        return (Math.Max(j1 + 2, 0), Math.Min(j2, n));
    }

    /// <summary>Pr(D_n ≤ x) by Pomeranz's recursion (1974): rows of Poisson convolutions, rescaled as needed.</summary>
    private static double Pomeranz(int n, double x)
    {
        var t = n * x;
        var ll = (int)Math.Floor(t);
        var f = t - ll;
        var g = Math.Min(f, 1.0 - f);
        var ceilF = f > 0 ? 1 : 0;
        var roundF = f > 0.5 ? 1 : 0;
        var powers = 2 * (ll + 1);
        var gPower = new double[powers];
        var twoGPower = new double[powers];
        var oneMinusTwoGPower = new double[powers];
        gPower[0] = 1.0;
        twoGPower[0] = 1.0;
        oneMinusTwoGPower[0] = 1.0;
        var exponent = 0;
        double gOverN = g / n, twoGOverN = 2 * g / n, oneMinusTwoGOverN = (1 - 2 * g) / n;
        for (var m = 1; m < powers; m++)
        {
            gPower[m] = gPower[m - 1] * gOverN / m;
            twoGPower[m] = twoGPower[m - 1] * twoGOverN / m;
            oneMinusTwoGPower[m] = oneMinusTwoGPower[m - 1] * oneMinusTwoGOverN / m;
        }

        var v0 = new double[powers];
        var v1 = new double[powers];
        v1[0] = 1;
        int v0Start = 0, v1Start = 0;
        var (j1, _) = PomeranzInterval(0, n, ll, ceilF, roundF);
        for (var i = 1; i < 2 * n + 2; i++)
        {
            var k1 = j1;
            (v0, v1) = (v1, v0);
            (v0Start, v1Start) = (v1Start, v0Start);
            Array.Clear(v1);
            int j2;
            (j1, j2) = PomeranzInterval(i, n, ll, ceilF, roundF);
            var weights = i == 1 || i == 2 * n + 1 ? gPower : i % 2 == 1 ? twoGPower : oneMinusTwoGPower;
            var length = j2 - k1 + 1;
            if (length > 0)
            {
                // conv = convolve(V0[k1 - V0s : k1 - V0s + length], weights[:length]); keep conv[j1 - k1 .. j2 - k1].
                var offset = k1 - v0Start;
                var aLength = Math.Min(length, powers - offset);
                var bLength = Math.Min(length, powers);
                var convStart = j1 - k1;
                var convLength = j2 - j1 + 1;
                var max = 0.0;
                for (var c = 0; c < convLength; c++)
                {
                    var index = convStart + c;
                    var sum = 0.0;
                    var lo = Math.Max(0, index - (bLength - 1));
                    var hi = Math.Min(aLength - 1, index);
                    for (var a = lo; a <= hi; a++)
                    {
                        sum += v0[offset + a] * weights[index - a];
                    }

                    v1[c] = sum;
                    max = Math.Max(max, sum);
                }

                if (max > 0 && max < PowerMinus128)
                {
                    for (var c = 0; c < v1.Length; c++)
                    {
                        v1[c] *= Power128;
                    }

                    exponent -= Exponent128;
                }

                v1Start = v0Start + j1 - k1;
            }
        }

        var answer = v1[n - v1Start];
        for (var m = 1; m <= n; m++)
        {
            if (Math.Abs(answer) > Power128)
            {
                answer *= PowerMinus128;
                exponent += Exponent128;
            }

            answer *= m;
        }

        if (exponent != 0)
        {
            answer = Math.ScaleB(answer, exponent);
        }

        return Clip(answer);
    }

    /// <summary>The Pelz–Good (1976) approximation to Pr(D_n ≤ x): the Li-Chien/Korolyuk expansion
    /// K0 + K1/√n + K2/n + K3/n^1.5 rewritten through Jacobi theta identities for small z = x√n.</summary>
    private static double PelzGood(int n, double x)
    {
        if (x <= 0.0)
        {
            return 0.0;
        }

        if (x >= 1.0)
        {
            return 1.0;
        }

        const double piSquared = Math.PI * Math.PI;
        const double piFour = piSquared * piSquared;
        const double piSix = piFour * piSquared;
        var sqrtTwoPi = Math.Sqrt(2 * Math.PI);
        var z = Math.Sqrt(n) * x;
        double zSquared = z * z, zThree = z * z * z, zFour = zSquared * zSquared, zSix = zFour * zSquared;
        var qLog = -piSquared / 8 / zSquared;
        if (qLog < -708)
        {
            return 0.0;
        }

        var q = Math.Exp(qLog);
        var k1a = -zSquared;
        var k1b = piSquared / 4;
        var k2a = 6 * zSix + 2 * zFour;
        var k2b = (2 * zFour - 5 * zSquared) * piSquared / 4;
        var k2c = piFour * (1 - 2 * zSquared) / 16;
        var k3d = piSix * (5 - 30 * zSquared) / 64;
        var k3c = piFour * (-60 * zSquared + 212 * zFour) / 16;
        var k3b = piSquared * (135 * zFour - 96 * zSix) / 4;
        var k3a = -30 * zSix - 90 * Math.Pow(z, 8);
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        var maxK = (int)Math.Ceiling(16 * z / Math.PI);
        for (var k = maxK; k > 0; k--)
        {
            double m = 2 * k - 1;
            double mSquared = m * m, mFour = mSquared * mSquared, mSix = mFour * mSquared;
            var qPower = Math.Pow(q, 8 * k);
            s0 = s0 * qPower + 1.0;
            s1 = s1 * qPower + (k1a + k1b * mSquared);
            s2 = s2 * qPower + (k2a + k2b * mSquared + k2c * mFour);
            s3 = s3 * qPower + (k3a + k3b * mSquared + k3c * mFour + k3d * mSix);
        }

        s0 *= q * sqrtTwoPi / z;
        s1 *= q * sqrtTwoPi / (6 * zFour);
        s2 *= q * sqrtTwoPi / (72 * Math.Pow(z, 7));
        s3 *= q * sqrtTwoPi / (6480 * Math.Pow(z, 10));

        var q2 = Math.Exp(-piSquared / 2 / zSquared);
        var sqrt3z = Math.Sqrt(3) * z;
        double k2Extra = 0, k3Extra = 0;
        for (var k = maxK; k > 0; k--)
        {
            double kk = k;
            var kSquared = kk * kk;
            var qPower = Math.Pow(q2, kSquared);
            var kPi = Math.PI * kk;
            k2Extra += kSquared * qPower;
            k3Extra += (sqrt3z + kPi) * (sqrt3z - kPi) * kSquared * qPower;
        }

        s2 += k2Extra * piSquared * sqrtTwoPi / (-36 * zThree);
        s3 += k3Extra * piSquared * sqrtTwoPi / (216 * zSix);
        var rootN = Math.Sqrt(n);
        return s0 + s1 / rootN + s2 / n + s3 / (n * rootN);
    }

    /// <summary>
    /// The one-sided Smirnov tail Pr(D⁺_n ≥ x) (SciPy's <c>scipy.special.smirnov</c>), by the Birnbaum–Tingey sum
    /// x Σ_{v=0}^{⌊n(1-x)⌋} C(n, v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v), whose terms are all positive. Each term is
    /// formed in logarithms from exact integer parts (n x is split exactly with a fused multiply-add) and summed
    /// with a running maximum, so tails far below the double range's comfort zone keep their relative accuracy.
    /// </summary>
    public static double SmirnovSf(int n, double x)
    {
        if (!(n > 0 && x >= 0.0 && x <= 1.0))
        {
            return double.NaN;
        }

        if (n == 1)
        {
            return 1 - x;
        }

        if (x == 0.0)
        {
            return 1.0;
        }

        if (x == 1.0)
        {
            return 0.0;
        }

        // n x = floor + alpha exactly.
        var product = n * x;
        var error = Math.FusedMultiplyAdd(n, x, -product);
        var floor = Math.Floor(product);
        var alpha = product - floor + error;
        if (alpha < 0)
        {
            floor -= 1;
            alpha += 1;
        }

        if (alpha >= 1)
        {
            floor += 1;
            alpha -= 1;
        }

        var nxFloor = (long)floor;
        if (nxFloor == 0 || (nxFloor == 1 && alpha == 0))
        {
            // x ≤ 1/n: Pr(D⁺ < x) = x (1 + x)^(n-1).
            var cdf = x * Math.Pow(1 + x, n - 1);
            return Clip(1 - cdf);
        }

        if (-2 * n * x * x < MinLog)
        {
            return 0.0;
        }

        if (nxFloor >= n - 1)
        {
            return Clip(Math.Pow(1 - x, n));
        }

        if (n > SmirnovMaxComputeN)
        {
            // SciPy's approximation beyond a million observations.
            var logP = -Math.Pow(6.0 * n * x + 1.0, 2) / 18.0 / n;
            return Clip(Math.Exp(logP));
        }

        // Terms v = 0 .. last, the largest v with x + v/n < 1.
        var last = n - nxFloor - 1;
        var logBinomial = 0.0; // log C(n, v), with its compensation term
        var logBinomialCompensation = 0.0;
        var maxLog = double.NegativeInfinity;
        var scaledSum = 0.0; // Σ exp(logTerm - maxLog)
        for (long v = 0; v <= last; v++)
        {
            // x + v/n = (nxFloor + v + alpha) / n; 1 - x - v/n = ((n - v - nxFloor) - alpha) / n.
            var upper = nxFloor + v + alpha;
            var upperRatio = upper / n;
            var logLowerRatio = upperRatio < 0.5
                ? SpecialFunctions.Log1P(-upperRatio)
                : Math.Log(((n - v - nxFloor) - alpha) / n);
            var logTerm = (logBinomial + ((v - 1) * Math.Log(upperRatio) + (n - v) * logLowerRatio)) + logBinomialCompensation;
            if (logTerm > maxLog)
            {
                scaledSum = scaledSum * Math.Exp(maxLog - logTerm) + 1.0;
                maxLog = logTerm;
            }
            else
            {
                var ratio = Math.Exp(logTerm - maxLog);
                scaledSum += ratio;
                // Past the peak and every remaining term is below rounding: stop (SciPy's criterion).
                if (4.0 * (last - v) * ratio < 2.220446049250313e-16 * scaledSum && v > 0)
                {
                    break;
                }
            }

            // log C(n, v + 1) = log C(n, v) + log((n - v)/(v + 1)), summed with Neumaier's compensation: the
            // running value reaches n ln 2 and plain summation would lose ~√v ulps of it (1e-9 at n = 10^5).
            var increment = Math.Log((double)(n - v) / (v + 1));
            var sum = logBinomial + increment;
            logBinomialCompensation += Math.Abs(logBinomial) >= Math.Abs(increment)
                ? (logBinomial - sum) + increment
                : (increment - sum) + logBinomial;
            logBinomial = sum;
        }

        return Clip(Math.Exp(maxLog + Math.Log(scaledSum) + Math.Log(x)));
    }
}
