using Warden.Statistics.Sketches;

namespace Warden.Statistics.Drift;

/// <summary>
/// Runs the chosen (or default) drift test for a feature, on raw samples (exact mode) or on profiles (sketch
/// mode), and aggregates features into a dataset verdict. Missing values (null, NaN, ±∞) are dropped before testing.
/// </summary>
public static class DriftAnalyzer
{
    private const string OtherCell = "\u0000other";

    /// <summary>Drift of a numeric feature from raw samples.</summary>
    /// <param name="feature">The feature's name.</param>
    /// <param name="reference">Reference values (NaN and ±∞ are missing).</param>
    /// <param name="current">Current values.</param>
    /// <param name="options">Method, threshold and binning; defaults when null.</param>
    /// <returns>The verdict.</returns>
    public static FeatureDriftResult Numeric(string feature, ReadOnlySpan<double> reference, ReadOnlySpan<double> current,
        FeatureDriftOptions? options = null) =>
        Numeric(feature, SortedSample.From(reference), SortedSample.From(current), options);

    /// <summary>Drift of a numeric feature from samples sorted beforehand (see <see cref="SortedSample"/>): the same
    /// result as the overload on raw samples, without sorting again when a sample is tested more than once.</summary>
    /// <param name="feature">The feature's name.</param>
    /// <param name="reference">The reference sample.</param>
    /// <param name="current">The current sample.</param>
    /// <param name="options">Method, threshold and binning; defaults when null.</param>
    /// <returns>The verdict.</returns>
    public static FeatureDriftResult Numeric(string feature, SortedSample reference, SortedSample current,
        FeatureDriftOptions? options = null)
    {
        options ??= new FeatureDriftOptions();
        var r = reference.Values;
        var c = current.Values;
        if (r.Length == 0 || c.Length == 0)
        {
            throw new ArgumentException($"Feature '{feature}' needs at least one non-missing value in reference and current.");
        }

        // Only "more than 5" and "more than 2" matter to the choices below, so the count stops at 6.
        var distinct = SortedSample.DistinctUpTo(r, c, DriftDefaults.LowCardinality + 1);
        var method = options.Method ?? DriftDefaults.ChooseMethod(FeatureKind.Numeric, reference.Rows, distinct);
        double statistic;
        double? pValue = null;
        switch (method)
        {
            case DriftMethod.KolmogorovSmirnov:
                var ks = KolmogorovSmirnov.FromStatistic(KolmogorovSmirnov.Statistic(r, c), r.Length, c.Length);
                (statistic, pValue) = (ks.Statistic, ks.PValue);
                break;
            case DriftMethod.Wasserstein:
                statistic = Wasserstein.SortedDistance(r, c);
                break;
            case DriftMethod.WassersteinNormed:
                statistic = Wasserstein.SortedDistance(r, c) / Wasserstein.Normalizer(Wasserstein.PopulationStandardDeviation(r));
                break;
            default:
                double[] referenceCells, currentCells;
                if (distinct <= DriftDefaults.LowCardinality && options.BinEdges is null)
                {
                    (referenceCells, currentCells) = ValueCells(Count(r), Count(c));
                }
                else
                {
                    var edges = options.BinEdges ?? BinEdges.FromSortedQuantiles(r, options.Bins);
                    referenceCells = BinEdges.SortedCellCounts(r, edges);
                    currentCells = BinEdges.SortedCellCounts(c, edges);
                }

                (statistic, pValue) = CellTest(feature, method, referenceCells, currentCells, options);
                break;
        }

        return Verdict(feature, FeatureKind.Numeric, method, statistic, pValue, options, DriftMode.Exact, 0.0, 1.0);
    }

    /// <summary>Drift of a categorical feature from raw samples.</summary>
    /// <param name="feature">The feature's name.</param>
    /// <param name="reference">Reference categories (null is missing).</param>
    /// <param name="current">Current categories.</param>
    /// <param name="options">Method and threshold; defaults when null.</param>
    /// <returns>The verdict.</returns>
    public static FeatureDriftResult Categorical(string feature, IReadOnlyList<string?> reference, IReadOnlyList<string?> current,
        FeatureDriftOptions? options = null)
    {
        options ??= new FeatureDriftOptions();
        var r = Count(reference);
        var c = Count(current);
        if (r.Count == 0 || c.Count == 0)
        {
            throw new ArgumentException($"Feature '{feature}' needs at least one non-missing value in reference and current.");
        }

        var (referenceCells, currentCells) = ValueCells(r, c);
        var method = options.Method ?? DriftDefaults.ChooseMethod(FeatureKind.Categorical, reference.Count, referenceCells.Length);
        RequireCellMethod(feature, method);
        var (statistic, pValue) = CellTest(feature, method, referenceCells, currentCells, options);
        return Verdict(feature, FeatureKind.Categorical, method, statistic, pValue, options, DriftMode.Exact, 0.0, 1.0);
    }

    /// <summary>Drift of a numeric feature from two profiles. KS and Wasserstein use the KLL sketches (with their
    /// bounds); binned measures use the exact distinct-value counts when there are at most 5 values, otherwise the
    /// histograms, which must share their edges (the result then equals exact mode on those edges).</summary>
    /// <param name="feature">The feature's name.</param>
    /// <param name="reference">The reference profile.</param>
    /// <param name="current">The current window's profile.</param>
    /// <param name="options">Method, threshold and sketch confidence; defaults when null.</param>
    /// <returns>The verdict, with the error bound of the estimate.</returns>
    public static FeatureDriftResult Numeric(string feature, NumericProfile reference, NumericProfile current,
        FeatureDriftOptions? options = null)
    {
        options ??= new FeatureDriftOptions();
        if (reference.Count == 0 || current.Count == 0)
        {
            throw new ArgumentException($"Feature '{feature}' needs at least one non-missing value in reference and current.");
        }

        long distinct = long.MaxValue;
        if (reference.DistinctValueCounts is { } rv && current.DistinctValueCounts is { } cv)
        {
            distinct = rv.Keys.Union(cv.Keys).LongCount();
        }

        var method = options.Method ?? DriftDefaults.ChooseMethod(FeatureKind.Numeric, reference.Rows, distinct);
        double statistic;
        double? pValue = null;
        double? bound = 0.0;
        var confidence = 1.0;
        switch (method)
        {
            case DriftMethod.KolmogorovSmirnov:
                var ks = KolmogorovSmirnov.FromSketches(reference.Quantiles, current.Quantiles, options.SketchDelta);
                (statistic, pValue, bound, confidence) = (ks.Statistic, ks.PValue, ks.ErrorBound, ks.Confidence);
                break;
            case DriftMethod.Wasserstein:
            case DriftMethod.WassersteinNormed:
                var w = method == DriftMethod.Wasserstein
                    ? Wasserstein.FromSketches(reference.Quantiles, current.Quantiles, options.SketchDelta)
                    : Wasserstein.NormedFromProfiles(reference, current, options.SketchDelta);
                (statistic, bound, confidence) = (w.Value, w.ErrorBound, w.Confidence);
                break;
            default:
                double[] referenceCells, currentCells;
                if (distinct <= DriftDefaults.LowCardinality && options.BinEdges is null)
                {
                    (referenceCells, currentCells) = ValueCells(reference.DistinctValueCounts!, current.DistinctValueCounts!);
                }
                else
                {
                    var rh = reference.Histogram;
                    var ch = current.Histogram;
                    if (rh is null || ch is null || !rh.HasSameEdges(ch)
                        || (options.BinEdges is { } edges && !rh.Edges.SequenceEqual(edges)))
                    {
                        throw new InvalidOperationException(
                            $"Feature '{feature}': {method} on profiles needs both profiles to hold histograms on the same reference bin edges.");
                    }

                    referenceCells = [.. rh.CellCounts().Select(x => (double)x)];
                    currentCells = [.. ch.CellCounts().Select(x => (double)x)];
                }

                (statistic, pValue) = CellTest(feature, method, referenceCells, currentCells, options);
                break;
        }

        return Verdict(feature, FeatureKind.Numeric, method, statistic, pValue, options, DriftMode.Sketch, bound, confidence);
    }

    /// <summary>Drift of a categorical feature from two profiles, on the cells "each tracked category" plus
    /// "other". Exact (bound 0) while both profiles are exact. Otherwise the Jensen–Shannon and Hellinger distances
    /// are within the stated bound of the distance between the true distributions coarsened to the same cells:
    /// each profile's coarsened distribution is within total variation TV = Other / n of the truth, JS ≤ √(ln 2 · TV
    /// / ln base) and Hellinger ≤ √TV per profile by the triangle inequality; chi-squared, z and PSI have no bound
    /// then (null).</summary>
    /// <param name="feature">The feature's name.</param>
    /// <param name="reference">The reference profile.</param>
    /// <param name="current">The current window's profile.</param>
    /// <param name="options">Method and threshold; defaults when null.</param>
    /// <returns>The verdict, with the error bound.</returns>
    public static FeatureDriftResult Categorical(string feature, CategoricalProfile reference, CategoricalProfile current,
        FeatureDriftOptions? options = null)
    {
        options ??= new FeatureDriftOptions();
        if (reference.Count == 0 || current.Count == 0)
        {
            throw new ArgumentException($"Feature '{feature}' needs at least one non-missing value in reference and current.");
        }

        var r = new Dictionary<string, long>(reference.Counts, StringComparer.Ordinal);
        var c = new Dictionary<string, long>(current.Counts, StringComparer.Ordinal);
        if (reference.Other > 0 || current.Other > 0)
        {
            r[OtherCell] = reference.Other;
            c[OtherCell] = current.Other;
        }

        var (referenceCells, currentCells) = ValueCells(r, c);
        var method = options.Method ?? DriftDefaults.ChooseMethod(FeatureKind.Categorical, reference.Rows, referenceCells.Length);
        RequireCellMethod(feature, method);
        var (statistic, pValue) = CellTest(feature, method, referenceCells, currentCells, options);
        double? bound = 0.0;
        if (!reference.IsExact || !current.IsExact)
        {
            var tvReference = (double)reference.Other / reference.Count;
            var tvCurrent = (double)current.Other / current.Count;
            bound = method switch
            {
                DriftMethod.JensenShannon => (Math.Sqrt(Math.Log(2) * tvReference) + Math.Sqrt(Math.Log(2) * tvCurrent))
                                             / Math.Sqrt(options.JensenShannonBase is { } b ? Math.Log(b) : 1.0),
                DriftMethod.Hellinger => Math.Sqrt(tvReference) + Math.Sqrt(tvCurrent),
                _ => null,
            };
        }

        return Verdict(feature, FeatureKind.Categorical, method, statistic, pValue, options, DriftMode.Sketch, bound, 1.0);
    }

    /// <summary>The dataset verdict: drift when the share of drifted features is at least
    /// <paramref name="shareThreshold"/>.</summary>
    /// <param name="features">The per-feature results.</param>
    /// <param name="shareThreshold">The share, in (0, 1]; 0.5 by default.</param>
    /// <returns>The dataset verdict.</returns>
    public static DatasetDriftResult Dataset(IReadOnlyList<FeatureDriftResult> features,
        double shareThreshold = DriftDefaults.DatasetDriftShare)
    {
        if (!(shareThreshold > 0 && shareThreshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(shareThreshold), shareThreshold, "The drift share threshold must lie in (0, 1].");
        }

        var drifted = features.Count(f => f.Drifted);
        var share = features.Count == 0 ? 0.0 : (double)drifted / features.Count;
        return new DatasetDriftResult(features, drifted, share, shareThreshold, features.Count > 0 && share >= shareThreshold);
    }

    private static FeatureDriftResult Verdict(string feature, FeatureKind kind, DriftMethod method, double statistic,
        double? pValue, FeatureDriftOptions options, DriftMode mode, double? bound, double confidence)
    {
        var threshold = options.Threshold ?? DriftDefaults.Threshold(method);
        var drifted = DriftDefaults.IsPValueTest(method) ? pValue < threshold : statistic >= threshold;
        return new FeatureDriftResult(feature, kind, method, statistic, pValue, threshold, drifted, mode, bound, confidence);
    }

    private static void RequireCellMethod(string feature, DriftMethod method)
    {
        if (method is DriftMethod.KolmogorovSmirnov or DriftMethod.Wasserstein or DriftMethod.WassersteinNormed)
        {
            throw new ArgumentException($"Feature '{feature}' is categorical; {method} applies to numeric features only.");
        }
    }

    private static (double Statistic, double? PValue) CellTest(string feature, DriftMethod method,
        double[] referenceCells, double[] currentCells, FeatureDriftOptions options)
    {
        switch (method)
        {
            case DriftMethod.ChiSquared:
                var chi = ChiSquared.Test(currentCells, referenceCells);
                return (chi.Statistic, chi.PValue);
            case DriftMethod.ZTest:
                var occupied = Enumerable.Range(0, referenceCells.Length)
                    .Where(i => referenceCells[i] + currentCells[i] > 0).ToArray();
                if (occupied.Length > 2)
                {
                    throw new InvalidOperationException(
                        $"Feature '{feature}' has {occupied.Length} values; the z-test compares a binary feature. Choose another method.");
                }

                var first = occupied[0];
                var z = TwoProportionZTest.Test(referenceCells[first], referenceCells.Sum(), currentCells[first], currentCells.Sum());
                return (z.Z, z.PValue);
            case DriftMethod.JensenShannon:
                return (JensenShannon.Distance(referenceCells, currentCells, options.JensenShannonBase), null);
            case DriftMethod.PopulationStabilityIndex:
                return (PopulationStabilityIndex.Compute(referenceCells, currentCells), null);
            case DriftMethod.Hellinger:
                return (Hellinger.Distance(referenceCells, currentCells), null);
            default:
                throw new ArgumentException($"Feature '{feature}': {method} does not compare cell counts.");
        }
    }

    private static Dictionary<double, long> Count(ReadOnlySpan<double> values)
    {
        var counts = new Dictionary<double, long>();
        foreach (var value in values)
        {
            counts[value] = counts.GetValueOrDefault(value) + 1;
        }

        return counts;
    }

    private static Dictionary<string, long> Count(IReadOnlyList<string?> values)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (value is not null)
            {
                counts[value] = counts.GetValueOrDefault(value) + 1;
            }
        }

        return counts;
    }

    /// <summary>Aligns two count maps on the union of their keys, in sorted order.</summary>
    private static (double[] Reference, double[] Current) ValueCells<TKey>(
        IReadOnlyDictionary<TKey, long> reference, IReadOnlyDictionary<TKey, long> current)
        where TKey : notnull
    {
        var keys = reference.Keys.Union(current.Keys).Order().ToArray();
        var r = new double[keys.Length];
        var c = new double[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            r[i] = reference.GetValueOrDefault(keys[i]);
            c[i] = current.GetValueOrDefault(keys[i]);
        }

        return (r, c);
    }
}
