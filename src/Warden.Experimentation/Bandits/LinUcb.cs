using System.Numerics;
using System.Runtime.InteropServices;

namespace Warden.Experimentation.Bandits;

/// <summary>
/// LinUCB with disjoint linear models (Li, Chu, Langford and Schapire, WWW 2010, Algorithm 1): arm a's expected reward
/// given context x is θₐᵀx with θₐ = Aₐ⁻¹bₐ, Aₐ = λI + Σ xxᵀ and bₐ = Σ r x over the decisions that played a. A decision
/// plays argmaxₐ θₐᵀx + α √(xᵀAₐ⁻¹x).
/// </summary>
/// <remarks>
/// The inverse Aₐ⁻¹ is kept directly and updated with the Sherman–Morrison rank-one formula
/// (A + xxᵀ)⁻¹ = A⁻¹ − (A⁻¹x)(A⁻¹x)ᵀ / (1 + xᵀA⁻¹x), and θₐ is refreshed after each update, so a decision costs
/// O(K·d²) and an update O(d²) with no matrix inversion and no allocation. Not thread-safe.
/// Numerical drift of the rank-one updates is negligible for the bounded contexts bandits see (the tests compare with
/// a direct inversion after thousands of updates); call <see cref="Reset"/> to start an arm afresh.
/// </remarks>
public sealed class LinUcb
{
    private readonly double[][] _aInverse; // per arm, row-major d×d
    private readonly double[][] _b;
    private readonly double[][] _theta;
    private readonly double[] _scratch;
    private readonly double _ridge;

    /// <summary>Creates the model.</summary>
    /// <param name="armCount">Number of arms K.</param>
    /// <param name="dimension">Context dimension d.</param>
    /// <param name="alpha">Exploration strength α (1 + √(ln(2/δ)/2) for confidence 1 − δ in the paper).</param>
    /// <param name="ridge">Ridge regulariser λ (Aₐ starts at λI).</param>
    public LinUcb(int armCount, int dimension, double alpha = 1.0, double ridge = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(armCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(alpha);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ridge);
        ArmCount = armCount;
        Dimension = dimension;
        Alpha = alpha;
        _ridge = ridge;
        _aInverse = new double[armCount][];
        _b = new double[armCount][];
        _theta = new double[armCount][];
        _scratch = new double[dimension];
        for (int arm = 0; arm < armCount; arm++)
        {
            _aInverse[arm] = new double[dimension * dimension];
            _b[arm] = new double[dimension];
            _theta[arm] = new double[dimension];
            Reset(arm);
        }
    }

    /// <summary>Number of arms.</summary>
    public int ArmCount { get; }

    /// <summary>Context dimension.</summary>
    public int Dimension { get; }

    /// <summary>Exploration strength.</summary>
    public double Alpha { get; }

    /// <summary>Forgets everything learned about <paramref name="arm"/>.</summary>
    public void Reset(int arm)
    {
        double[] inverse = _aInverse[arm];
        Array.Clear(inverse);
        for (int i = 0; i < Dimension; i++)
        {
            inverse[i * Dimension + i] = 1 / _ridge;
        }
        Array.Clear(_b[arm]);
        Array.Clear(_theta[arm]);
    }

    /// <summary>The arm with the largest upper confidence bound for <paramref name="context"/> (the first on ties).</summary>
    public int SelectArm(ReadOnlySpan<double> context)
    {
        int best = 0;
        double bestScore = double.NegativeInfinity;
        for (int arm = 0; arm < ArmCount; arm++)
        {
            double score = Score(arm, context);
            if (score > bestScore)
            {
                bestScore = score;
                best = arm;
            }
        }
        return best;
    }

    /// <summary>θₐᵀx + α √(xᵀAₐ⁻¹x).</summary>
    public double Score(int arm, ReadOnlySpan<double> context)
    {
        CheckContext(context);
        MultiplyInverse(arm, context, _scratch);
        double width = Dot(context, _scratch);
        return Dot(_theta[arm], context) + Alpha * Math.Sqrt(Math.Max(width, 0));
    }

    /// <summary>The current estimate θₐᵀx of the expected reward.</summary>
    public double Predict(int arm, ReadOnlySpan<double> context)
    {
        CheckContext(context);
        return Dot(_theta[arm], context);
    }

    /// <summary>Records the reward of playing <paramref name="arm"/> in <paramref name="context"/>.</summary>
    public void Update(int arm, ReadOnlySpan<double> context, double reward)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(arm);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(arm, ArmCount);
        CheckContext(context);
        int d = Dimension;
        double[] inverse = _aInverse[arm];
        Span<double> u = _scratch;
        MultiplyInverse(arm, context, u); // u = A⁻¹x (A⁻¹ is symmetric, so xᵀA⁻¹ = uᵀ)
        double denominator = 1 + Dot(context, u);
        for (int i = 0; i < d; i++)
        {
            SubtractScaled(inverse.AsSpan(i * d, d), u, u[i] / denominator);
        }
        double[] b = _b[arm];
        for (int i = 0; i < d; i++)
        {
            b[i] += reward * context[i];
        }
        MultiplyInverse(arm, b, _theta[arm]);
    }

    /// <summary>A copy of Aₐ⁻¹ (row-major), for inspection and tests.</summary>
    public double[] InverseDesignMatrix(int arm) => (double[])_aInverse[arm].Clone();

    /// <summary>A copy of θₐ.</summary>
    public double[] Coefficients(int arm) => (double[])_theta[arm].Clone();

    private void MultiplyInverse(int arm, ReadOnlySpan<double> vector, Span<double> result)
    {
        int d = Dimension;
        double[] inverse = _aInverse[arm];
        for (int i = 0; i < d; i++)
        {
            result[i] = Dot(inverse.AsSpan(i * d, d), vector);
        }
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<double>.Count)
        {
            ReadOnlySpan<Vector<double>> va = MemoryMarshal.Cast<double, Vector<double>>(a);
            ReadOnlySpan<Vector<double>> vb = MemoryMarshal.Cast<double, Vector<double>>(b[..a.Length]);
            var accumulator = Vector<double>.Zero;
            for (int k = 0; k < va.Length; k++)
            {
                accumulator += va[k] * vb[k];
            }
            sum = Vector.Sum(accumulator);
            i = va.Length * Vector<double>.Count;
        }
        for (; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }
        return sum;
    }

    /// <summary>target −= factor · source.</summary>
    private static void SubtractScaled(Span<double> target, ReadOnlySpan<double> source, double factor)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && target.Length >= Vector<double>.Count)
        {
            Span<Vector<double>> vt = MemoryMarshal.Cast<double, Vector<double>>(target);
            ReadOnlySpan<Vector<double>> vs = MemoryMarshal.Cast<double, Vector<double>>(source[..target.Length]);
            var scale = new Vector<double>(factor);
            for (int k = 0; k < vt.Length; k++)
            {
                vt[k] -= scale * vs[k];
            }
            i = vt.Length * Vector<double>.Count;
        }
        for (; i < target.Length; i++)
        {
            target[i] -= factor * source[i];
        }
    }

    private void CheckContext(ReadOnlySpan<double> context)
    {
        if (context.Length != Dimension)
        {
            throw new ArgumentException($"The context must have {Dimension} features.", nameof(context));
        }
    }
}
