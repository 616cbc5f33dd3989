using Warden.Statistics.Performance;
using Xunit.Abstractions;

namespace Warden.Statistics.Tests;

/// <summary>
/// ClassificationWindow and RegressionWindow against scikit-learn 1.2 (Fixtures/performance_fixtures.json): every
/// metric to 1e-9 (relative, absolute below 1), except ROC AUC on the histogram path, which must lie within the bound
/// the window reports. Merging is checked against the accumulator of the concatenation.
/// </summary>
public sealed class PerformanceWindowTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-9;

    [Fact]
    public void Classification_metrics_match_sklearn_on_both_paths()
    {
        var histogramCases = 0;
        foreach (var c in PerformanceFixtures.Cases("classification"))
        {
            var name = c.GetProperty("name").GetString();
            var (labels, scores) = PerformanceFixtures.Classification(c);
            var window = new ClassificationWindow();
            window.AddRange(labels, scores);
            var m = window.Metrics();

            Assert.Equal(labels.Length, m.Count);
            Assert.Equal(labels.Length <= ClassificationWindowOptions.DefaultExactCapacity, m.IsExact);
            Near(c, "accuracy", m.Accuracy, name);
            Near(c, "precision", m.Precision!.Value, name);
            Near(c, "recall", m.Recall!.Value, name);
            Near(c, "f1", m.F1!.Value, name);
            Near(c, "log_loss", m.LogLoss, name);
            Near(c, "brier", m.BrierScore, name);
            Near(c, "ece", m.ExpectedCalibrationError, name);
            var auc = c.GetProperty("roc_auc").GetDouble();
            if (m.IsExact)
            {
                Assert.Equal(0.0, m.RocAucErrorBound);
                Near(c, "roc_auc", m.RocAuc!.Value, name);
            }
            else
            {
                histogramCases++;
                var error = Math.Abs(m.RocAuc!.Value - auc);
                output.WriteLine($"{name}: binned AUC {m.RocAuc:F6}, sklearn {auc:F6}, error {error:E2}, bound {m.RocAucErrorBound:E2}");
                Assert.True(error <= m.RocAucErrorBound + 1e-12, $"{name}: AUC error {error:E3} exceeds the bound {m.RocAucErrorBound:E3}");
                Assert.True(m.RocAucErrorBound < 0.01, $"{name}: the bound {m.RocAucErrorBound} is too loose to be useful");
            }
        }

        Assert.Equal(3, histogramCases);
    }

    [Fact]
    public void Regression_metrics_match_sklearn()
    {
        foreach (var c in PerformanceFixtures.Cases("regression"))
        {
            var name = c.GetProperty("name").GetString();
            var (targets, predictions) = PerformanceFixtures.Regression(c);
            var window = new RegressionWindow();
            window.AddRange(targets, predictions);
            var m = window.Metrics();
            Assert.Equal(targets.Length, m.Count);
            Near(c, "mae", m.MeanAbsoluteError, name);
            Near(c, "rmse", m.RootMeanSquaredError, name);
            Near(c, "mape", m.MeanAbsolutePercentageError, name);
            Near(c, "r2", m.R2!.Value, name);
        }
    }

    [Theory]
    [InlineData(100, 7)]
    [InlineData(3000, 2500)] // two exact windows that together outgrow the capacity
    [InlineData(6000, 10)] // a histogram window merged with an exact one
    [InlineData(10, 6000)] // an exact window merged with a histogram one
    [InlineData(5000, 9000)] // two histogram windows
    public void Classification_merge_equals_the_window_of_the_concatenation(int first, int second)
    {
        var random = new Random(first * 31 + second);
        var labels = new int[first + second];
        var scores = new double[first + second];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = random.NextDouble() < 0.3 ? 1 : 0;
            scores[i] = Math.Clamp((random.NextDouble() * 0.7) + (labels[i] * 0.3), 0, 1);
        }

        var a = new ClassificationWindow();
        a.AddRange(labels.AsSpan(0, first), scores.AsSpan(0, first));
        var b = new ClassificationWindow();
        b.AddRange(labels.AsSpan(first), scores.AsSpan(first));
        var whole = new ClassificationWindow();
        whole.AddRange(labels, scores);

        var merged = ClassificationWindow.Merge(a, b);
        AssertSame(whole.Metrics(), merged.Metrics());
        Assert.Equal(first, a.Count); // the inputs are unchanged
        Assert.Equal(second, b.Count);
        // Merging in the other order gives the same metrics too (only the order of the exact scores differs).
        AssertSame(whole.Metrics(), ClassificationWindow.Merge(b, a).Metrics());
    }

    [Fact]
    public void Classification_json_round_trip_is_exact_on_both_paths()
    {
        foreach (var n in new[] { 0, 50, 5000 })
        {
            var random = new Random(n);
            var window = new ClassificationWindow(new ClassificationWindowOptions { Threshold = 0.3 });
            for (var i = 0; i < n; i++)
            {
                window.Add(random.Next(2), random.NextDouble());
            }

            var json = window.ToJson();
            var restored = ClassificationWindow.FromJson(json);
            Assert.Equal(json, restored.ToJson());
            Assert.Equal(window.Options, restored.Options);
            if (n > 0)
            {
                Assert.Equal(window.Metrics(), restored.Metrics());
            }
        }
    }

    [Fact]
    public void Classification_rejects_bad_input_with_clear_messages()
    {
        var window = new ClassificationWindow();
        Assert.Throws<ArgumentOutOfRangeException>(() => window.Add(true, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => window.Add(true, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => window.Add(2, 0.5));
        Assert.Throws<InvalidOperationException>(() => window.Metrics());
        Assert.Throws<ArgumentException>(() => window.Merge(new ClassificationWindow(new ClassificationWindowOptions { Threshold = 0.7 })));
        Assert.Throws<FormatException>(() => ClassificationWindow.FromJson("{\"v\":1,\"n\":3}"));
        Assert.Throws<FormatException>(() => ClassificationWindow.FromJson("not json"));
    }

    [Fact]
    public void Undefined_classification_metrics_are_null_not_zero()
    {
        // Only negatives, all scored below the threshold: nothing predicted positive and no positives.
        var window = new ClassificationWindow();
        window.AddRange([0, 0, 0], [0.1, 0.2, 0.3]);
        var m = window.Metrics();
        Assert.Equal(1.0, m.Accuracy);
        Assert.Null(m.Precision);
        Assert.Null(m.Recall);
        Assert.Null(m.F1);
        Assert.Null(m.RocAuc);
    }

    [Fact]
    public void Histogram_auc_bound_holds_for_heavily_tied_scores_and_memory_stays_bounded()
    {
        // 200,000 pairs: the window holds 2 × 1000 bin counts, not the scores.
        var random = new Random(5);
        var window = new ClassificationWindow();
        var positives = new List<double>();
        var negatives = new List<double>();
        for (var i = 0; i < 200_000; i++)
        {
            var label = random.NextDouble() < 0.5;
            var score = Math.Clamp(random.NextDouble() * 0.0005 + (label ? 0.5 : 0.4997), 0, 1); // all within a few bins
            window.Add(label, score);
            (label ? positives : negatives).Add(score);
        }

        var m = window.Metrics();
        Assert.False(m.IsExact);
        Assert.True(window.ToJson().Length < 40_000);
        var exact = ExactAuc(positives, negatives);
        Assert.True(Math.Abs(m.RocAuc!.Value - exact) <= m.RocAucErrorBound + 1e-12);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(40, 60)]
    [InlineData(5000, 7000)]
    public void Regression_merge_equals_the_window_of_the_concatenation(int first, int second)
    {
        var random = new Random(first + second);
        var targets = new double[first + second];
        var predictions = new double[first + second];
        for (var i = 0; i < targets.Length; i++)
        {
            targets[i] = 1000 + random.NextDouble();
            predictions[i] = targets[i] + random.NextDouble() - 0.4;
        }

        var a = new RegressionWindow();
        a.AddRange(targets.AsSpan(0, first), predictions.AsSpan(0, first));
        var b = new RegressionWindow();
        b.AddRange(targets.AsSpan(first), predictions.AsSpan(first));
        var whole = new RegressionWindow();
        whole.AddRange(targets, predictions);
        var merged = RegressionWindow.Merge(a, b).Metrics();
        var expected = whole.Metrics();

        Assert.Equal(expected.Count, merged.Count);
        Assert.Equal(expected.MeanAbsoluteError, merged.MeanAbsoluteError, 1e-14);
        Assert.Equal(expected.RootMeanSquaredError, merged.RootMeanSquaredError, 1e-14);
        Assert.Equal(expected.MeanAbsolutePercentageError, merged.MeanAbsolutePercentageError, 1e-17);
        if (expected.R2 is { } r2)
        {
            Assert.Equal(r2, merged.R2!.Value, 1e-9);
        }
        else
        {
            Assert.Null(merged.R2);
        }

        var restored = RegressionWindow.FromJson(RegressionWindow.Merge(a, b).ToJson());
        Assert.Equal(RegressionWindow.Merge(a, b).Metrics(), restored.Metrics());
    }

    [Fact]
    public void Regression_r2_is_null_when_the_targets_do_not_vary()
    {
        var window = new RegressionWindow();
        window.AddRange([2.0, 2.0, 2.0], [1.0, 2.0, 3.0]);
        var m = window.Metrics();
        Assert.Null(m.R2);
        Assert.Equal(2.0 / 3.0, m.MeanAbsoluteError, 1e-15);
        Assert.Throws<ArgumentException>(() => window.Add(double.NaN, 1));
    }

    private static void AssertSame(ClassificationMetrics expected, ClassificationMetrics actual)
    {
        // Counts, the AUC and its bound are exact; compensated sums agree to a few ulps.
        Assert.Equal(expected with { LogLoss = 0, BrierScore = 0, ExpectedCalibrationError = 0 },
            actual with { LogLoss = 0, BrierScore = 0, ExpectedCalibrationError = 0 });
        Assert.Equal(expected.LogLoss, actual.LogLoss, 1e-14);
        Assert.Equal(expected.BrierScore, actual.BrierScore, 1e-14);
        Assert.Equal(expected.ExpectedCalibrationError, actual.ExpectedCalibrationError, 1e-14);
    }

    private static void Near(System.Text.Json.JsonElement c, string metric, double actual, string? name) =>
        Close.Assert(c.GetProperty(metric).GetDouble(), actual, Tolerance, Tolerance, $"{name} {metric}");

    private static double ExactAuc(List<double> positives, List<double> negatives)
    {
        var n = negatives.ToArray();
        Array.Sort(n);
        double wins = 0;
        foreach (var p in positives)
        {
            var below = LowerBound(n, p);
            var upTo = UpperBound(n, p);
            wins += below + ((upTo - below) / 2.0);
        }

        return wins / ((double)positives.Count * negatives.Count);
    }

    private static int LowerBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static int UpperBound(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
