using System.Text.Json;
using Warden.Statistics.Internal;

namespace Warden.Statistics.Tests;

/// <summary>The SciPy reference values in Fixtures/scipy_fixtures.json (written by Fixtures/make_fixtures.py).</summary>
internal static class ScipyFixtures
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "scipy_fixtures.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    public static IEnumerable<JsonElement> Cases(string name) => Root.GetProperty(name).EnumerateArray();

    public static double[] Doubles(this JsonElement element) =>
        [.. element.EnumerateArray().Select(e => e.GetDouble())];

    /// <summary>Rebuilds a generated sample exactly as make_fixtures.py's generate(): Irwin–Hall(4) values from
    /// SplitMix64 uniforms, optionally floored to a grid. Only additions, multiplications and floors: IEEE 754 gives
    /// the same bits in both languages.</summary>
    public static double[] Generate(JsonElement spec)
    {
        var n = spec.GetProperty("n").GetInt32();
        var shift = spec.GetProperty("shift").GetDouble();
        var scale = spec.GetProperty("scale").GetDouble();
        var quantum = spec.GetProperty("quantum").GetDouble();
        var random = new SplitMix64(spec.GetProperty("seed").GetUInt64());
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            var s = random.NextDouble() + random.NextDouble();
            s += random.NextDouble();
            s += random.NextDouble();
            var v = shift + scale * (s - 2.0);
            if (quantum != 0)
            {
                v = Math.Floor(v * quantum) / quantum;
            }

            values[i] = v;
        }

        return values;
    }
}

/// <summary>Tolerance checks that report the relative error they saw.</summary>
internal static class Close
{
    /// <summary>|actual - expected| ≤ relative · |expected| + absolute; returns the relative error.</summary>
    public static double Assert(double expected, double actual, double relative, double absolute = 0, string? what = null)
    {
        var error = Math.Abs(actual - expected);
        var scale = Math.Abs(expected);
        Xunit.Assert.True(error <= relative * scale + absolute || expected.Equals(actual),
            $"{what}: expected {expected:R}, got {actual:R} (error {error:E3}, relative {error / scale:E3})");
        return scale == 0 ? error : error / scale;
    }
}
