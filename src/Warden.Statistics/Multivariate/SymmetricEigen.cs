namespace Warden.Statistics.Multivariate;

/// <summary>The eigen-decomposition of a symmetric matrix: A = V diag(λ) Vᵀ.</summary>
/// <param name="Values">Eigenvalues in descending order.</param>
/// <param name="Vectors">Eigenvectors: <c>Vectors[i]</c> is the unit eigenvector of <c>Values[i]</c>.</param>
public sealed record EigenDecomposition(double[] Values, double[][] Vectors);

/// <summary>
/// The cyclic Jacobi eigenvalue algorithm for small dense symmetric matrices: plane rotations zero one off-diagonal
/// entry at a time, sweeping all pairs until the off-diagonal mass is negligible. Quadratically convergent, accurate
/// to a few ulps of the matrix's norm, and free of native dependencies.
/// </summary>
public static class SymmetricEigen
{
    private const int MaxSweeps = 100;

    /// <summary>Decomposes a symmetric matrix given by rows.</summary>
    /// <param name="matrix">d rows of d values; symmetric (checked to a relative 1e-10).</param>
    /// <returns>Eigenvalues (descending) and unit eigenvectors.</returns>
    public static EigenDecomposition Decompose(double[][] matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var d = matrix.Length;
        var a = new double[d * d];
        var norm = 0.0;
        for (var i = 0; i < d; i++)
        {
            if (matrix[i] is null || matrix[i].Length != d)
            {
                throw new ArgumentException("The matrix must be square.", nameof(matrix));
            }

            for (var j = 0; j < d; j++)
            {
                var value = matrix[i][j];
                if (!double.IsFinite(value))
                {
                    throw new ArgumentException("The matrix must hold finite values.", nameof(matrix));
                }

                a[i * d + j] = value;
                norm += value * value;
            }
        }

        norm = Math.Sqrt(norm);
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (Math.Abs(a[i * d + j] - a[j * d + i]) > 1e-10 * Math.Max(norm, double.Epsilon))
                {
                    throw new ArgumentException("The matrix must be symmetric.", nameof(matrix));
                }
            }
        }

        var v = new double[d * d];
        for (var i = 0; i < d; i++)
        {
            v[i * d + i] = 1.0;
        }

        for (var sweep = 0; sweep < MaxSweeps; sweep++)
        {
            var off = 0.0;
            for (var p = 0; p < d; p++)
            {
                for (var q = p + 1; q < d; q++)
                {
                    off += a[p * d + q] * a[p * d + q];
                }
            }

            if (Math.Sqrt(off) <= 1e-15 * norm || off == 0)
            {
                break;
            }

            for (var p = 0; p < d; p++)
            {
                for (var q = p + 1; q < d; q++)
                {
                    Rotate(a, v, d, p, q);
                }
            }
        }

        var values = new double[d];
        for (var i = 0; i < d; i++)
        {
            values[i] = a[i * d + i];
        }

        var order = Enumerable.Range(0, d).OrderByDescending(i => values[i]).ToArray();
        var sortedValues = new double[d];
        var vectors = new double[d][];
        for (var k = 0; k < d; k++)
        {
            var column = order[k];
            sortedValues[k] = values[column];
            vectors[k] = new double[d];
            for (var i = 0; i < d; i++)
            {
                vectors[k][i] = v[i * d + column];
            }
        }

        return new EigenDecomposition(sortedValues, vectors);
    }

    /// <summary>Applies the rotation in the (p, q) plane that zeroes a[p, q]: A ← JᵀAJ, V ← VJ.</summary>
    private static void Rotate(double[] a, double[] v, int d, int p, int q)
    {
        var apq = a[p * d + q];
        if (apq == 0)
        {
            return;
        }

        // cot 2φ = (a_qq - a_pp) / (2 a_pq); t = tan φ is the smaller root of t² + 2θt - 1 = 0.
        var theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        var t = double.IsInfinity(theta * theta)
            ? 1.0 / (2 * theta)
            : (theta >= 0 ? 1.0 : -1.0) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));

        var c = 1.0 / Math.Sqrt(t * t + 1);
        var s = t * c;
        for (var k = 0; k < d; k++)
        {
            var akp = a[k * d + p];
            var akq = a[k * d + q];
            a[k * d + p] = c * akp - s * akq;
            a[k * d + q] = s * akp + c * akq;
        }

        for (var k = 0; k < d; k++)
        {
            var apk = a[p * d + k];
            var aqk = a[q * d + k];
            a[p * d + k] = c * apk - s * aqk;
            a[q * d + k] = s * apk + c * aqk;
        }

        // The rotation zeroes a[p, q] exactly in exact arithmetic; set it so rounding leaves no residue.
        a[p * d + q] = 0;
        a[q * d + p] = 0;
        for (var k = 0; k < d; k++)
        {
            var vkp = v[k * d + p];
            var vkq = v[k * d + q];
            v[k * d + p] = c * vkp - s * vkq;
            v[k * d + q] = s * vkp + c * vkq;
        }
    }
}
