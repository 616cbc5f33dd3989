using System.Text.Json;
using Warden.Statistics.Internal;

namespace Warden.Statistics.Tests;

/// <summary>The scikit-learn reference values in Fixtures/performance_fixtures.json (written by
/// Fixtures/make_performance_fixtures.py).</summary>
internal static class PerformanceFixtures
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "performance_fixtures.json"))));

    public static IEnumerable<JsonElement> Cases(string name) => Document.Value.RootElement.GetProperty(name).EnumerateArray();

    /// <summary>The labels and scores of a classification case, written out or rebuilt from its generator spec.</summary>
    public static (int[] Labels, double[] Scores) Classification(JsonElement c)
    {
        if (c.TryGetProperty("labels", out var labels))
        {
            return ([.. labels.EnumerateArray().Select(e => e.GetInt32())], c.GetProperty("scores").Doubles());
        }

        // As generate_classification(): label = u0 < prevalence; score = (u1 + u2 + label) / 3, optionally floored.
        var spec = c.GetProperty("gen");
        var n = spec.GetProperty("n").GetInt32();
        var prevalence = spec.GetProperty("prevalence").GetDouble();
        var quantum = spec.GetProperty("quantum").GetDouble();
        var random = new SplitMix64(spec.GetProperty("seed").GetUInt64());
        var y = new int[n];
        var s = new double[n];
        for (var i = 0; i < n; i++)
        {
            y[i] = random.NextDouble() < prevalence ? 1 : 0;
            var sum = random.NextDouble() + random.NextDouble();
            s[i] = (sum + y[i]) / 3.0;
            if (quantum != 0)
            {
                s[i] = Math.Floor(s[i] * quantum) / quantum;
            }
        }

        AssertChecksum([.. y.Select(v => (double)v)], c.GetProperty("checkLabels"));
        AssertChecksum(s, c.GetProperty("checkScores"));
        return (y, s);
    }

    /// <summary>The targets and predictions of a regression case, written out or rebuilt from its generator spec.</summary>
    public static (double[] Targets, double[] Predictions) Regression(JsonElement c)
    {
        if (c.TryGetProperty("targets", out var targets))
        {
            return (targets.Doubles(), c.GetProperty("predictions").Doubles());
        }

        // As generate_regression(): y = shift + scale (u1 + u2 + u3 - 1.5); prediction = y + bias + noise (u4 - 0.5).
        var spec = c.GetProperty("gen");
        var n = spec.GetProperty("n").GetInt32();
        var shift = spec.GetProperty("shift").GetDouble();
        var scale = spec.GetProperty("scale").GetDouble();
        var bias = spec.GetProperty("bias").GetDouble();
        var noise = spec.GetProperty("noise").GetDouble();
        var random = new SplitMix64(spec.GetProperty("seed").GetUInt64());
        var y = new double[n];
        var p = new double[n];
        for (var i = 0; i < n; i++)
        {
            var s = random.NextDouble() + random.NextDouble();
            s += random.NextDouble();
            y[i] = shift + (scale * (s - 1.5));
            p[i] = y[i] + bias + (noise * (random.NextDouble() - 0.5));
        }

        AssertChecksum(y, c.GetProperty("checkTargets"));
        AssertChecksum(p, c.GetProperty("checkPredictions"));
        return (y, p);
    }

    private static void AssertChecksum(double[] values, JsonElement check)
    {
        Assert.Equal(check.GetProperty("first").Doubles(), values.Take(3));
        Assert.Equal(check.GetProperty("last").GetDouble(), values[^1]);
        Assert.Equal(check.GetProperty("sum").GetDouble(), values.Sum(), 1e-9 * Math.Max(1, Math.Abs(values.Sum())));
    }
}
