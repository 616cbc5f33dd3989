using System.Text.Json;
using Warden.Statistics.Internal;

namespace Warden.Statistics.Performance;

/// <summary>The performance of a regression model over a window.</summary>
/// <param name="Count">Pairs seen.</param>
/// <param name="MeanAbsoluteError">Σ |y − ŷ| / n.</param>
/// <param name="RootMeanSquaredError">√(Σ (y − ŷ)² / n).</param>
/// <param name="MeanAbsolutePercentageError">Σ |y − ŷ| / max(|y|, ε) / n with ε the float64 machine epsilon, as a
/// fraction (0.1 is 10 %), as scikit-learn's mean_absolute_percentage_error.</param>
/// <param name="R2">1 − Σ (y − ŷ)² / Σ (y − ȳ)²; null when the targets do not vary (scikit-learn then returns 1.0 for
/// perfect predictions and 0.0 otherwise).</param>
public sealed record RegressionMetrics(
    long Count,
    double MeanAbsoluteError,
    double RootMeanSquaredError,
    double MeanAbsolutePercentageError,
    double? R2);

/// <summary>
/// A mergeable accumulator of (target, prediction) pairs over a window: MAE, RMSE, MAPE and R² in O(1) memory.
/// </summary>
/// <remarks>
/// The error sums are compensated sums, so merging agrees with one pass to within a few ulps. R² needs the targets'
/// sum of squared deviations; rather than Σy² − (Σy)²/n, which cancels catastrophically when the targets' mean is
/// large against their spread, the window keeps their mean and M2 (Welford's update, merged by Chan, Golub and
/// LeVeque's formula) — the same quantities, computed stably.
/// </remarks>
public sealed class RegressionWindow
{
    private CompensatedSum _absolute;
    private CompensatedSum _squared;
    private CompensatedSum _percentage;
    private double _mean;
    private double _m2;

    /// <summary>Pairs seen.</summary>
    public long Count { get; private set; }

    /// <summary>Adds one pair.</summary>
    /// <param name="target">The true value (finite).</param>
    /// <param name="prediction">The prediction (finite).</param>
    public void Add(double target, double prediction)
    {
        if (!double.IsFinite(target) || !double.IsFinite(prediction))
        {
            throw new ArgumentException($"Regression targets and predictions must be finite numbers (got {target} and {prediction}).");
        }

        Count++;
        var error = Math.Abs(target - prediction);
        _absolute.Add(error);
        _squared.Add(error * error);
        _percentage.Add(error / Math.Max(Math.Abs(target), ClassificationWindow.MachineEpsilon));
        var delta = target - _mean;
        _mean += delta / Count;
        _m2 += delta * (target - _mean);
    }

    /// <summary>Adds aligned targets and predictions.</summary>
    /// <param name="targets">The true values.</param>
    /// <param name="predictions">The predictions.</param>
    public void AddRange(ReadOnlySpan<double> targets, ReadOnlySpan<double> predictions)
    {
        if (targets.Length != predictions.Length)
        {
            throw new ArgumentException($"There are {targets.Length} targets but {predictions.Length} predictions.", nameof(predictions));
        }

        for (var i = 0; i < targets.Length; i++)
        {
            Add(targets[i], predictions[i]);
        }
    }

    /// <summary>Merges another window into this one, as if its pairs had been added here.</summary>
    /// <param name="other">The other window; it is not changed.</param>
    public void Merge(RegressionWindow other)
    {
        if (ReferenceEquals(other, this))
        {
            other = Clone();
        }

        if (other.Count == 0)
        {
            return;
        }

        if (Count == 0)
        {
            _mean = other._mean;
            _m2 = other._m2;
        }
        else
        {
            double na = Count, nb = other.Count, n = na + nb;
            var delta = other._mean - _mean;
            _mean += delta * (nb / n);
            _m2 += other._m2 + (delta * delta * (na * nb / n));
        }

        Count += other.Count;
        _absolute.Add(other._absolute);
        _squared.Add(other._squared);
        _percentage.Add(other._percentage);
    }

    /// <summary>Merges two windows into a new one, leaving both unchanged.</summary>
    /// <param name="a">The first window.</param>
    /// <param name="b">The second window.</param>
    /// <returns>The merged window.</returns>
    public static RegressionWindow Merge(RegressionWindow a, RegressionWindow b)
    {
        var merged = a.Clone();
        merged.Merge(b);
        return merged;
    }

    /// <summary>A deep copy.</summary>
    /// <returns>The copy.</returns>
    public RegressionWindow Clone() => FromState(ToState());

    /// <summary>The metrics of the pairs seen.</summary>
    /// <returns>The metrics.</returns>
    /// <exception cref="InvalidOperationException">The window is empty (check <see cref="Count"/> first).</exception>
    public RegressionMetrics Metrics()
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("An empty regression window has no metrics; check Count first.");
        }

        double n = Count;
        double? r2 = _m2 > 0 ? 1 - (_squared.Value / _m2) : null;
        return new RegressionMetrics(Count, _absolute.Value / n, Math.Sqrt(_squared.Value / n), _percentage.Value / n, r2);
    }

    /// <summary>The window as compact JSON, for persistence; <see cref="FromJson"/> restores it exactly.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(ToState(), PerformanceJsonContext.Default.RegressionWindowState);

    /// <summary>Restores a window written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The window.</returns>
    /// <exception cref="FormatException">The text is not a valid regression window.</exception>
    public static RegressionWindow FromJson(string json)
        => FromState(Internal.StateJson.Read(json, PerformanceJsonContext.Default.RegressionWindowState, "a regression window"));

    internal RegressionWindowState ToState() => new()
    {
        Version = 1,
        Count = Count,
        AbsoluteError = [_absolute.Sum, _absolute.Compensation],
        SquaredError = [_squared.Sum, _squared.Compensation],
        PercentageError = [_percentage.Sum, _percentage.Compensation],
        Mean = _mean,
        M2 = _m2,
    };

    internal static RegressionWindow FromState(RegressionWindowState state)
    {
        if (state.Version != 1)
        {
            throw new FormatException($"Regression window format version {state.Version} is not supported (expected 1).");
        }

        if (state.Count < 0 || state.AbsoluteError?.Length != 2 || state.SquaredError?.Length != 2
            || state.PercentageError?.Length != 2)
        {
            throw new FormatException("A regression window needs a non-negative count and its three error sums.");
        }

        if (!double.IsFinite(state.Mean) || !(state.M2 >= 0) || double.IsInfinity(state.M2))
        {
            throw new FormatException("A regression window's mean and M2 must be finite, and M2 non-negative.");
        }

        return new RegressionWindow
        {
            Count = state.Count,
            _absolute = new CompensatedSum(state.AbsoluteError[0], state.AbsoluteError[1]),
            _squared = new CompensatedSum(state.SquaredError[0], state.SquaredError[1]),
            _percentage = new CompensatedSum(state.PercentageError[0], state.PercentageError[1]),
            _mean = state.Mean,
            _m2 = state.M2,
        };
    }
}
