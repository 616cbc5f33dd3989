using System.Text.Json;
using Warden.Statistics.Internal;

namespace Warden.Statistics.Performance;

/// <summary>Settings of a <see cref="ClassificationWindow"/>. Windows merge only when their settings are equal.</summary>
public sealed record ClassificationWindowOptions
{
    /// <summary>The default decision threshold.</summary>
    public const double DefaultThreshold = 0.5;

    /// <summary>The default number of (label, score) pairs kept exactly.</summary>
    public const int DefaultExactCapacity = 4096;

    /// <summary>The default number of equal-width score bins per class once the window outgrows the exact pairs.</summary>
    public const int DefaultAucBins = 1000;

    /// <summary>The number of equal-width bins of the expected calibration error.</summary>
    public const int DefaultCalibrationBins = 10;

    /// <summary>A score at or above the threshold predicts the positive class (label 1); in [0, 1].</summary>
    public double Threshold { get; init; } = DefaultThreshold;

    /// <summary>While the window holds at most this many pairs, ROC AUC is computed from the exact scores.</summary>
    public int ExactCapacity { get; init; } = DefaultExactCapacity;

    /// <summary>Equal-width score bins per class on [0, 1] that replace the exact scores beyond the capacity.</summary>
    public int AucBins { get; init; } = DefaultAucBins;

    /// <summary>Equal-width bins on [0, 1] of the expected calibration error.</summary>
    public int CalibrationBins { get; init; } = DefaultCalibrationBins;

    internal void Validate()
    {
        if (!(Threshold >= 0 && Threshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "The decision threshold must lie in [0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(ExactCapacity, nameof(ExactCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(AucBins, 1, nameof(AucBins));
        ArgumentOutOfRangeException.ThrowIfLessThan(CalibrationBins, 1, nameof(CalibrationBins));
    }
}

/// <summary>The performance of a binary classifier over a window.</summary>
/// <param name="Count">Pairs seen.</param>
/// <param name="Positives">Pairs with label 1.</param>
/// <param name="Threshold">The decision threshold of the confusion counts.</param>
/// <param name="TruePositives">Label 1, score ≥ threshold.</param>
/// <param name="FalsePositives">Label 0, score ≥ threshold.</param>
/// <param name="TrueNegatives">Label 0, score &lt; threshold.</param>
/// <param name="FalseNegatives">Label 1, score &lt; threshold.</param>
/// <param name="Accuracy">(TP + TN) / n.</param>
/// <param name="Precision">TP / (TP + FP); null when nothing was predicted positive (sklearn returns 0 and warns).</param>
/// <param name="Recall">TP / (TP + FN); null when there are no positives.</param>
/// <param name="F1">2 TP / (2 TP + FP + FN); null when that denominator is 0.</param>
/// <param name="RocAuc">The area under the ROC curve, ties counted one half; null unless both classes occur.</param>
/// <param name="RocAucErrorBound">|RocAuc − exact AUC| ≤ this bound: 0 while the window is exact, otherwise the
/// share of (positive, negative) pairs that fall in the same score bin, halved.</param>
/// <param name="LogLoss">Mean cross-entropy with scores clipped to [ε, 1 − ε], ε the float64 machine epsilon.</param>
/// <param name="BrierScore">Mean of (score − label)².</param>
/// <param name="ExpectedCalibrationError">Σ_b (n_b / n) |mean label_b − mean score_b| over equal-width score bins.</param>
/// <param name="IsExact">Whether ROC AUC came from the exact scores (every other metric is always exact).</param>
public sealed record ClassificationMetrics(
    long Count,
    long Positives,
    double Threshold,
    long TruePositives,
    long FalsePositives,
    long TrueNegatives,
    long FalseNegatives,
    double Accuracy,
    double? Precision,
    double? Recall,
    double? F1,
    double? RocAuc,
    double RocAucErrorBound,
    double LogLoss,
    double BrierScore,
    double ExpectedCalibrationError,
    bool IsExact);

/// <summary>
/// A mergeable accumulator of a binary classifier's (label, score) pairs over a time window, in bounded memory.
/// </summary>
/// <remarks>
/// <para>Everything except ROC AUC is a sum and therefore exact whatever the count, and exact under
/// <see cref="Merge(ClassificationWindow)"/> (floating-point sums are compensated, so merging agrees with one pass to
/// within a few ulps): the confusion counts at the fixed <see cref="ClassificationWindowOptions.Threshold"/>, the
/// log-loss and Brier sums, and per calibration bin the count, score sum and label sum.</para>
/// <para>ROC AUC needs the ranks of the scores. The window keeps the exact scores of each class while it holds at most
/// <see cref="ClassificationWindowOptions.ExactCapacity"/> pairs (4,096 by default). Beyond that it keeps, per class,
/// counts of the scores in <see cref="ClassificationWindowOptions.AucBins"/> equal-width bins on [0, 1] (1,000 by
/// default; bin ⌊s·B⌋, the last bin closed) and computes the AUC as if the scores within a bin were tied — the
/// trapezoid rule over the binned ROC curve. Only pairs of a positive and a negative in the same bin can be ranked
/// differently from the exact computation, each by at most one half, so |AUC − exact| ≤ Σ_b pos_b neg_b / (2 P N),
/// reported as <see cref="ClassificationMetrics.RocAucErrorBound"/>. Memory is O(capacity + bins) whatever the count.</para>
/// <para>Definitions follow scikit-learn 1.2: log loss clips scores to [ε, 1 − ε] with ε = 2.22e-16 (numpy's
/// float64 epsilon, sklearn's <c>eps="auto"</c>) and renormalises [1 − p, p]; the expected calibration error puts a
/// score s in bin min(⌊s·10⌋, 9) — equal-width bins [0, 0.1), …, [0.9, 1] — and weighs each bin's
/// |mean label − mean score| by its share of the pairs.</para>
/// </remarks>
public sealed class ClassificationWindow
{
    /// <summary>numpy.finfo(float64).eps = 2⁻⁵², the clip of the log loss (scikit-learn's eps="auto").</summary>
    public const double MachineEpsilon = 2.220446049250313e-16;

    private readonly ClassificationWindowOptions _options;
    private List<double>? _positiveScores = [];
    private List<double>? _negativeScores = [];
    private long[]? _positiveBins;
    private long[]? _negativeBins;
    private long _tp;
    private long _fp;
    private long _tn;
    private long _fn;
    private CompensatedSum _logLoss;
    private CompensatedSum _brier;
    private readonly long[] _calibrationCounts;
    private readonly long[] _calibrationPositives;
    private readonly CompensatedSum[] _calibrationScores;

    /// <summary>Creates an empty window.</summary>
    /// <param name="options">Threshold, capacity and bins; defaults when null.</param>
    public ClassificationWindow(ClassificationWindowOptions? options = null)
    {
        options ??= new ClassificationWindowOptions();
        options.Validate();
        _options = options;
        _calibrationCounts = new long[options.CalibrationBins];
        _calibrationPositives = new long[options.CalibrationBins];
        _calibrationScores = new CompensatedSum[options.CalibrationBins];
    }

    /// <summary>The window's settings.</summary>
    public ClassificationWindowOptions Options => _options;

    /// <summary>Pairs seen.</summary>
    public long Count { get; private set; }

    /// <summary>Pairs with label 1.</summary>
    public long Positives => _tp + _fn;

    /// <summary>Whether the exact scores are still held (ROC AUC is then exact).</summary>
    public bool IsExact => _positiveScores is not null;

    /// <summary>Adds one pair.</summary>
    /// <param name="label">The true class: true for 1.</param>
    /// <param name="score">The predicted probability of class 1, in [0, 1].</param>
    public void Add(bool label, double score)
    {
        if (!(score >= 0 && score <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "A classifier's score must be a probability in [0, 1].");
        }

        Count++;
        var predicted = score >= _options.Threshold;
        if (label)
        {
            if (predicted)
            {
                _tp++;
            }
            else
            {
                _fn++;
            }
        }
        else if (predicted)
        {
            _fp++;
        }
        else
        {
            _tn++;
        }

        _logLoss.Add(LogLossTerm(label, score));
        var residual = score - (label ? 1.0 : 0.0);
        _brier.Add(residual * residual);
        var bin = Bin(score, _options.CalibrationBins);
        _calibrationCounts[bin]++;
        _calibrationScores[bin].Add(score);
        if (label)
        {
            _calibrationPositives[bin]++;
        }

        if (_positiveScores is not null)
        {
            (label ? _positiveScores : _negativeScores!).Add(score);
            if (Count > _options.ExactCapacity)
            {
                SwitchToBins();
            }
        }
        else
        {
            (label ? _positiveBins! : _negativeBins!)[Bin(score, _options.AucBins)]++;
        }
    }

    /// <summary>Adds one pair with an integer label.</summary>
    /// <param name="label">The true class, 0 or 1.</param>
    /// <param name="score">The predicted probability of class 1, in [0, 1].</param>
    public void Add(int label, double score)
    {
        if (label is not (0 or 1))
        {
            throw new ArgumentOutOfRangeException(nameof(label), label, "A binary label must be 0 or 1.");
        }

        Add(label == 1, score);
    }

    /// <summary>Adds aligned labels and scores.</summary>
    /// <param name="labels">The true classes, 0 or 1.</param>
    /// <param name="scores">The predicted probabilities of class 1.</param>
    public void AddRange(ReadOnlySpan<int> labels, ReadOnlySpan<double> scores)
    {
        if (labels.Length != scores.Length)
        {
            throw new ArgumentException($"There are {labels.Length} labels but {scores.Length} scores.", nameof(scores));
        }

        for (var i = 0; i < labels.Length; i++)
        {
            Add(labels[i], scores[i]);
        }
    }

    /// <summary>Merges another window into this one, as if its pairs had been added here after this window's.</summary>
    /// <param name="other">A window with equal options; it is not changed.</param>
    public void Merge(ClassificationWindow other)
    {
        if (ReferenceEquals(other, this))
        {
            other = Clone();
        }

        if (other._options != _options)
        {
            throw new ArgumentException("Classification windows merge only when their threshold, capacity and bins are equal.", nameof(other));
        }

        Count += other.Count;
        _tp += other._tp;
        _fp += other._fp;
        _tn += other._tn;
        _fn += other._fn;
        _logLoss.Add(other._logLoss);
        _brier.Add(other._brier);
        for (var b = 0; b < _calibrationCounts.Length; b++)
        {
            _calibrationCounts[b] += other._calibrationCounts[b];
            _calibrationPositives[b] += other._calibrationPositives[b];
            _calibrationScores[b].Add(other._calibrationScores[b]);
        }

        if (_positiveScores is not null && other._positiveScores is not null)
        {
            _positiveScores.AddRange(other._positiveScores);
            _negativeScores!.AddRange(other._negativeScores!);
            if (Count > _options.ExactCapacity)
            {
                SwitchToBins();
            }

            return;
        }

        if (_positiveScores is not null)
        {
            SwitchToBins();
        }

        if (other._positiveScores is not null)
        {
            AddToBins(_positiveBins!, other._positiveScores);
            AddToBins(_negativeBins!, other._negativeScores!);
        }
        else
        {
            for (var b = 0; b < _positiveBins!.Length; b++)
            {
                _positiveBins[b] += other._positiveBins![b];
                _negativeBins![b] += other._negativeBins![b];
            }
        }
    }

    /// <summary>Merges two windows into a new one, leaving both unchanged.</summary>
    /// <param name="a">The first window.</param>
    /// <param name="b">The second window (equal options).</param>
    /// <returns>The merged window.</returns>
    public static ClassificationWindow Merge(ClassificationWindow a, ClassificationWindow b)
    {
        var merged = a.Clone();
        merged.Merge(b);
        return merged;
    }

    /// <summary>A deep copy.</summary>
    /// <returns>The copy.</returns>
    public ClassificationWindow Clone() => FromState(ToState());

    /// <summary>The metrics of the pairs seen.</summary>
    /// <returns>The metrics.</returns>
    /// <exception cref="InvalidOperationException">The window is empty (check <see cref="Count"/> first).</exception>
    public ClassificationMetrics Metrics()
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("An empty classification window has no metrics; check Count first.");
        }

        double n = Count;
        var (auc, bound) = RocAuc();
        var ece = 0.0;
        for (var b = 0; b < _calibrationCounts.Length; b++)
        {
            if (_calibrationCounts[b] > 0)
            {
                double nb = _calibrationCounts[b];
                ece += nb / n * Math.Abs(_calibrationPositives[b] / nb - _calibrationScores[b].Value / nb);
            }
        }

        return new ClassificationMetrics(
            Count,
            Positives,
            _options.Threshold,
            _tp,
            _fp,
            _tn,
            _fn,
            (_tp + _tn) / n,
            Ratio(_tp, _tp + _fp),
            Ratio(_tp, _tp + _fn),
            Ratio(2 * _tp, (2 * _tp) + _fp + _fn),
            auc,
            bound,
            _logLoss.Value / n,
            _brier.Value / n,
            ece,
            IsExact);
    }

    /// <summary>The window as compact JSON, for persistence; <see cref="FromJson"/> restores it exactly.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(ToState(), PerformanceJsonContext.Default.ClassificationWindowState);

    /// <summary>Restores a window written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The window.</returns>
    /// <exception cref="FormatException">The text is not a valid classification window.</exception>
    public static ClassificationWindow FromJson(string json)
        => FromState(Internal.StateJson.Read(json, PerformanceJsonContext.Default.ClassificationWindowState, "a classification window"));

    /// <summary>sklearn's per-sample log loss: clip p to [ε, 1 − ε], renormalise [1 − p, p] by its sum, −ln of the
    /// true class's entry.</summary>
    internal static double LogLossTerm(bool label, double score)
    {
        var p = Math.Clamp(score, MachineEpsilon, 1 - MachineEpsilon);
        var q = 1 - p;
        var total = q + p;
        return -Math.Log((label ? p : q) / total);
    }

    /// <summary>Bin min(⌊s·B⌋, B − 1) of a score in [0, 1].</summary>
    internal static int Bin(double score, int bins) => Math.Min((int)Math.Floor(score * bins), bins - 1);

    private static double? Ratio(long numerator, long denominator) =>
        denominator == 0 ? null : (double)numerator / denominator;

    private (double? Auc, double Bound) RocAuc()
    {
        long positives = Positives, negatives = Count - Positives;
        if (positives == 0 || negatives == 0)
        {
            return (null, 0.0);
        }

        double pn = (double)positives * negatives;
        if (_positiveScores is not null)
        {
            return (ExactAuc(_positiveScores, _negativeScores!) / pn, 0.0);
        }

        // Bins as tie groups: each positive beats every negative in a lower bin and ties (one half) those in its own.
        double wins = 0, sameBin = 0;
        long negativesBelow = 0;
        for (var b = 0; b < _positiveBins!.Length; b++)
        {
            wins += _positiveBins[b] * (negativesBelow + (_negativeBins![b] / 2.0));
            sameBin += (double)_positiveBins[b] * _negativeBins[b];
            negativesBelow += _negativeBins[b];
        }

        return (wins / pn, sameBin / (2 * pn));
    }

    /// <summary>The Mann–Whitney count: pairs (positive, negative) with the positive scored higher, ties one half.</summary>
    private static double ExactAuc(List<double> positiveScores, List<double> negativeScores)
    {
        var positives = positiveScores.ToArray();
        var negatives = negativeScores.ToArray();
        Array.Sort(positives);
        Array.Sort(negatives);
        double wins = 0;
        var below = 0;
        var upTo = 0;
        for (var i = 0; i < positives.Length; i++)
        {
            var s = positives[i];
            while (below < negatives.Length && negatives[below] < s)
            {
                below++;
            }

            upTo = Math.Max(upTo, below);
            while (upTo < negatives.Length && negatives[upTo] <= s)
            {
                upTo++;
            }

            wins += below + ((upTo - below) / 2.0);
        }

        return wins;
    }

    private void SwitchToBins()
    {
        _positiveBins = new long[_options.AucBins];
        _negativeBins = new long[_options.AucBins];
        AddToBins(_positiveBins, _positiveScores!);
        AddToBins(_negativeBins, _negativeScores!);
        _positiveScores = null;
        _negativeScores = null;
    }

    private void AddToBins(long[] bins, List<double> scores)
    {
        foreach (var score in scores)
        {
            bins[Bin(score, _options.AucBins)]++;
        }
    }

    internal ClassificationWindowState ToState() => new()
    {
        Version = 1,
        Threshold = _options.Threshold,
        ExactCapacity = _options.ExactCapacity,
        AucBins = _options.AucBins,
        Count = Count,
        TruePositives = _tp,
        FalsePositives = _fp,
        TrueNegatives = _tn,
        FalseNegatives = _fn,
        LogLoss = [_logLoss.Sum, _logLoss.Compensation],
        Brier = [_brier.Sum, _brier.Compensation],
        CalibrationCounts = [.. _calibrationCounts],
        CalibrationPositives = [.. _calibrationPositives],
        CalibrationScores = [.. _calibrationScores.SelectMany(s => new[] { s.Sum, s.Compensation })],
        PositiveScores = _positiveScores?.ToArray(),
        NegativeScores = _negativeScores?.ToArray(),
        PositiveBins = _positiveBins is null ? null : [.. _positiveBins],
        NegativeBins = _negativeBins is null ? null : [.. _negativeBins],
    };

    internal static ClassificationWindow FromState(ClassificationWindowState state)
    {
        if (state.Version != 1)
        {
            throw new FormatException($"Classification window format version {state.Version} is not supported (expected 1).");
        }

        ClassificationWindowOptions options;
        try
        {
            options = new ClassificationWindowOptions
            {
                Threshold = state.Threshold,
                ExactCapacity = state.ExactCapacity,
                AucBins = state.AucBins,
                CalibrationBins = state.CalibrationCounts?.Length ?? 0,
            };
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FormatException("The classification window's settings are invalid: " + e.Message, e);
        }

        var bins = options.CalibrationBins;
        if (state.CalibrationPositives?.Length != bins || state.CalibrationScores?.Length != 2 * bins
            || state.LogLoss?.Length != 2 || state.Brier?.Length != 2)
        {
            throw new FormatException("The classification window's sums and calibration bins are incomplete.");
        }

        long[] counts = [state.TruePositives, state.FalsePositives, state.TrueNegatives, state.FalseNegatives];
        if (counts.Any(c => c < 0) || counts.Sum() != state.Count || state.CalibrationCounts!.Sum() != state.Count
            || state.CalibrationCounts!.Any(c => c < 0) || state.CalibrationPositives!.Any(c => c < 0)
            || state.CalibrationPositives.Sum() != state.TruePositives + state.FalseNegatives)
        {
            throw new FormatException("The classification window's counts do not add up.");
        }

        var window = new ClassificationWindow(options)
        {
            Count = state.Count,
            _tp = state.TruePositives,
            _fp = state.FalsePositives,
            _tn = state.TrueNegatives,
            _fn = state.FalseNegatives,
            _logLoss = new CompensatedSum(state.LogLoss[0], state.LogLoss[1]),
            _brier = new CompensatedSum(state.Brier[0], state.Brier[1]),
        };
        state.CalibrationCounts!.CopyTo(window._calibrationCounts, 0);
        state.CalibrationPositives!.CopyTo(window._calibrationPositives, 0);
        for (var b = 0; b < bins; b++)
        {
            window._calibrationScores[b] = new CompensatedSum(state.CalibrationScores![2 * b], state.CalibrationScores[(2 * b) + 1]);
        }

        var positives = state.TruePositives + state.FalseNegatives;
        if (state.PositiveScores is not null && state.NegativeScores is not null
            && state.PositiveBins is null && state.NegativeBins is null)
        {
            if (state.Count > options.ExactCapacity || state.PositiveScores.Length != positives
                || state.NegativeScores.Length != state.Count - positives
                || state.PositiveScores.Concat(state.NegativeScores).Any(s => !(s >= 0 && s <= 1)))
            {
                throw new FormatException("The classification window's exact scores do not match its counts.");
            }

            window._positiveScores = [.. state.PositiveScores];
            window._negativeScores = [.. state.NegativeScores];
        }
        else if (state.PositiveBins is not null && state.NegativeBins is not null
                 && state.PositiveScores is null && state.NegativeScores is null)
        {
            if (state.PositiveBins.Length != options.AucBins || state.NegativeBins.Length != options.AucBins
                || state.PositiveBins.Any(c => c < 0) || state.NegativeBins.Any(c => c < 0)
                || state.PositiveBins.Sum() != positives || state.NegativeBins.Sum() != state.Count - positives)
            {
                throw new FormatException("The classification window's score bins do not match its counts.");
            }

            window._positiveScores = null;
            window._negativeScores = null;
            window._positiveBins = state.PositiveBins;
            window._negativeBins = state.NegativeBins;
        }
        else
        {
            throw new FormatException("A classification window holds either exact scores or score bins for both classes.");
        }

        return window;
    }
}
