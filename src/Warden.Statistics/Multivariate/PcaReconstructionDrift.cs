namespace Warden.Statistics.Multivariate;

/// <summary>Settings of <see cref="PcaReconstructionDrift"/>.</summary>
public sealed record PcaDriftOptions
{
    /// <summary>Keep the fewest leading components whose cumulative explained variance exceeds this share
    /// (NannyML's default 0.65), in (0, 1].</summary>
    public double TargetExplainedVariance { get; init; } = 0.65;

    /// <summary>The reference is split into this many contiguous chunks to learn the error's spread.</summary>
    public int ReferenceChunks { get; init; } = 10;

    /// <summary>Thresholds lie this many standard deviations of the reference chunks' errors from their mean.</summary>
    public double StandardDeviations { get; init; } = 3.0;
}

/// <summary>The multivariate drift verdict for one window.</summary>
/// <param name="ReconstructionError">The window's mean per-row reconstruction error.</param>
/// <param name="LowerThreshold">The lower alert threshold (never below 0).</param>
/// <param name="UpperThreshold">The upper alert threshold.</param>
/// <param name="Drifted">Whether the error lies outside [lower, upper].</param>
public sealed record PcaDriftResult(double ReconstructionError, double LowerThreshold, double UpperThreshold, bool Drifted);

/// <summary>
/// Multivariate drift by PCA reconstruction error, NannyML's "data reconstruction" method. Fitting on the reference:
/// missing values (NaN) are imputed with the column mean, columns standardised with the reference mean and population
/// standard deviation (as scikit-learn's StandardScaler; a constant column keeps scale 1), and PCA keeps the fewest
/// leading components whose cumulative explained variance exceeds the target (scikit-learn's rule for a fractional
/// n_components). A row's error is the Euclidean distance between its standardised vector and its projection onto
/// those components; a window's error is the mean over its rows. The reference is cut into chunks, each chunk's error
/// computed, and the thresholds set at mean ± 3 standard deviations of those errors (lower clipped at 0).
/// A change in the correlation between features moves rows off the learned subspace, so it raises the error even when
/// every marginal distribution is unchanged and univariate tests see nothing.
/// </summary>
public sealed class PcaReconstructionDrift
{
    private readonly double[] _means;
    private readonly double[] _scales;
    private readonly double[][] _components;

    private PcaReconstructionDrift(double[] means, double[] scales, double[][] components, double[] eigenvalues,
        double explained, double[] chunkErrors, double lower, double upper)
    {
        _means = means;
        _scales = scales;
        _components = components;
        Eigenvalues = eigenvalues;
        ExplainedVariance = explained;
        ReferenceChunkErrors = chunkErrors;
        LowerThreshold = lower;
        UpperThreshold = upper;
    }

    /// <summary>The number of features.</summary>
    public int Features => _means.Length;

    /// <summary>The number of principal components kept.</summary>
    public int Components => _components.Length;

    /// <summary>All eigenvalues of the reference's standardised covariance, descending.</summary>
    public IReadOnlyList<double> Eigenvalues { get; }

    /// <summary>The share of variance the kept components explain.</summary>
    public double ExplainedVariance { get; }

    /// <summary>The reconstruction error of each reference chunk.</summary>
    public IReadOnlyList<double> ReferenceChunkErrors { get; }

    /// <summary>The lower alert threshold.</summary>
    public double LowerThreshold { get; }

    /// <summary>The upper alert threshold.</summary>
    public double UpperThreshold { get; }

    /// <summary>Fits the detector on reference rows.</summary>
    /// <param name="reference">Rows of d feature values (NaN for missing); at least two rows per chunk.</param>
    /// <param name="options">Target variance, chunking and threshold width; defaults when null.</param>
    /// <returns>The fitted detector.</returns>
    public static PcaReconstructionDrift Fit(IReadOnlyList<double[]> reference, PcaDriftOptions? options = null)
    {
        options ??= new PcaDriftOptions();
        if (!(options.TargetExplainedVariance > 0 && options.TargetExplainedVariance <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The target explained variance must lie in (0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReferenceChunks, 2);
        if (!(options.StandardDeviations > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The threshold width must be positive.");
        }

        if (reference.Count < 2 * options.ReferenceChunks)
        {
            throw new ArgumentException($"PCA drift needs at least {2 * options.ReferenceChunks} reference rows.", nameof(reference));
        }

        var d = reference[0]?.Length ?? 0;
        if (d == 0)
        {
            throw new ArgumentException("Reference rows need at least one feature.", nameof(reference));
        }

        var means = new double[d];
        var present = new long[d];
        foreach (var row in reference)
        {
            CheckRow(row, d, nameof(reference));
            for (var j = 0; j < d; j++)
            {
                if (!double.IsNaN(row[j]))
                {
                    present[j]++;
                    means[j] += (row[j] - means[j]) / present[j];
                }
            }
        }

        for (var j = 0; j < d; j++)
        {
            if (present[j] == 0)
            {
                throw new ArgumentException($"Reference feature {j} has no values.", nameof(reference));
            }
        }

        // Population variance after mean imputation (imputed cells contribute 0), as StandardScaler after SimpleImputer.
        var scales = new double[d];
        foreach (var row in reference)
        {
            for (var j = 0; j < d; j++)
            {
                var centered = double.IsNaN(row[j]) ? 0.0 : row[j] - means[j];
                scales[j] += centered * centered;
            }
        }

        for (var j = 0; j < d; j++)
        {
            var std = Math.Sqrt(scales[j] / reference.Count);
            scales[j] = std > 0 ? std : 1.0;
        }

        var covariance = new double[d][];
        for (var j = 0; j < d; j++)
        {
            covariance[j] = new double[d];
        }

        var z = new double[d];
        foreach (var row in reference)
        {
            Standardize(row, means, scales, z);
            for (var j = 0; j < d; j++)
            {
                for (var l = 0; l <= j; l++)
                {
                    covariance[j][l] += z[j] * z[l];
                }
            }
        }

        for (var j = 0; j < d; j++)
        {
            for (var l = 0; l <= j; l++)
            {
                covariance[j][l] /= reference.Count;
                covariance[l][j] = covariance[j][l];
            }
        }

        var eigen = SymmetricEigen.Decompose(covariance);
        var total = eigen.Values.Sum(v => Math.Max(v, 0));
        var kept = d;
        var cumulative = 0.0;
        if (total > 0)
        {
            for (var k = 0; k < d; k++)
            {
                cumulative += Math.Max(eigen.Values[k], 0) / total;
                if (cumulative > options.TargetExplainedVariance)
                {
                    kept = k + 1;
                    break;
                }
            }
        }

        var components = eigen.Vectors.Take(kept).ToArray();
        var explained = total > 0 ? eigen.Values.Take(kept).Sum(v => Math.Max(v, 0)) / total : 1.0;
        var detector = new PcaReconstructionDrift(means, scales, components, eigen.Values, explained, [], 0, 0);

        var chunkErrors = new double[options.ReferenceChunks];
        for (var c = 0; c < chunkErrors.Length; c++)
        {
            var start = (int)((long)reference.Count * c / chunkErrors.Length);
            var end = (int)((long)reference.Count * (c + 1) / chunkErrors.Length);
            chunkErrors[c] = detector.MeanError(reference, start, end);
        }

        var mean = chunkErrors.Average();
        var spread = Math.Sqrt(chunkErrors.Sum(e => (e - mean) * (e - mean)) / chunkErrors.Length);
        var lower = Math.Max(0.0, mean - options.StandardDeviations * spread);
        var upper = mean + options.StandardDeviations * spread;
        return new PcaReconstructionDrift(means, scales, components, eigen.Values, explained, chunkErrors, lower, upper);
    }

    /// <summary>The mean reconstruction error of a window's rows.</summary>
    /// <param name="rows">Rows of d feature values (NaN for missing).</param>
    /// <returns>The mean Euclidean reconstruction error in standardised units.</returns>
    public double ReconstructionError(IReadOnlyList<double[]> rows)
    {
        if (rows.Count == 0)
        {
            throw new ArgumentException("A window needs at least one row.", nameof(rows));
        }

        foreach (var row in rows)
        {
            CheckRow(row, Features, nameof(rows));
        }

        return MeanError(rows, 0, rows.Count);
    }

    /// <summary>Evaluates a window against the reference thresholds.</summary>
    /// <param name="rows">Rows of d feature values (NaN for missing).</param>
    /// <returns>The error, the thresholds and the verdict.</returns>
    public PcaDriftResult Evaluate(IReadOnlyList<double[]> rows)
    {
        var error = ReconstructionError(rows);
        return new PcaDriftResult(error, LowerThreshold, UpperThreshold, error < LowerThreshold || error > UpperThreshold);
    }

    private double MeanError(IReadOnlyList<double[]> rows, int start, int end)
    {
        var d = Features;
        var z = new double[d];
        var residual = new double[d];
        var sum = 0.0;
        for (var r = start; r < end; r++)
        {
            Standardize(rows[r], _means, _scales, z);
            // ‖z - W Wᵀ z‖² = ‖z‖² - ‖Wᵀ z‖² for orthonormal W; computed directly to avoid cancellation.
            z.CopyTo(residual, 0);
            foreach (var component in _components)
            {
                var projection = 0.0;
                for (var j = 0; j < d; j++)
                {
                    projection += component[j] * z[j];
                }

                for (var j = 0; j < d; j++)
                {
                    residual[j] -= projection * component[j];
                }
            }

            var squared = 0.0;
            for (var j = 0; j < d; j++)
            {
                squared += residual[j] * residual[j];
            }

            sum += Math.Sqrt(squared);
        }

        return sum / (end - start);
    }

    private static void Standardize(double[] row, double[] means, double[] scales, double[] z)
    {
        for (var j = 0; j < z.Length; j++)
        {
            z[j] = double.IsNaN(row[j]) ? 0.0 : (row[j] - means[j]) / scales[j];
        }
    }

    private static void CheckRow(double[] row, int d, string name)
    {
        if (row is null || row.Length != d)
        {
            throw new ArgumentException($"Every row needs exactly {d} values.", name);
        }

        foreach (var value in row)
        {
            if (double.IsInfinity(value))
            {
                throw new ArgumentException("Feature values must be finite (NaN marks a missing one).", name);
            }
        }
    }
}
