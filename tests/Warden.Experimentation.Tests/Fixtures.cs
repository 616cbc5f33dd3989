using System.Globalization;
using System.Text.Json;

namespace Warden.Experimentation.Tests;

/// <summary>Loads the committed reference files from the test output directory and compares numbers with tolerances.</summary>
internal static class Fixtures
{
    private static readonly Lazy<JsonElement> ReferenceValues = new(() => Load("reference-values.json"));
    private static readonly Lazy<JsonElement> GrowthBookCases = new(() => Load("growthbook-cases.json"));
    private static readonly Lazy<JsonElement> GbstatsPublished = new(() => Load("gbstats-published.json"));

    /// <summary>scipy / statsmodels output of make_fixtures.py.</summary>
    public static JsonElement Reference => ReferenceValues.Value;

    /// <summary>GrowthBook's published SDK test vectors.</summary>
    public static JsonElement GrowthBook => GrowthBookCases.Value;

    /// <summary>gbstats' published unit-test values.</summary>
    public static JsonElement Gbstats => GbstatsPublished.Value;

    public static JsonElement Section(this JsonElement root, params string[] path)
    {
        JsonElement e = root;
        foreach (string p in path)
        {
            e = e.GetProperty(p);
        }
        return e;
    }

    /// <summary>A number, accepting "Infinity"/"-Infinity" strings as the generator writes them.</summary>
    public static double Number(this JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String => double.Parse(e.GetString()!, CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException($"Not a number: {e}"),
    };

    public static double Number(this JsonElement e, string property) => e.GetProperty(property).Number();

    public static double[] Numbers(this JsonElement e) => e.EnumerateArray().Select(x => x.Number()).ToArray();

    public static double[] Numbers(this JsonElement e, string property) => e.GetProperty(property).Numbers();

    /// <summary>Asserts |actual − expected| ≤ max(absolute, relative·|expected|); infinities must match exactly.</summary>
    public static void Near(double expected, double actual, double relative, double absolute = 0, string? what = null)
    {
        if (double.IsInfinity(expected) || double.IsNaN(expected))
        {
            Assert.Equal(expected, actual);
            return;
        }
        double tolerance = Math.Max(absolute, relative * Math.Abs(expected));
        double error = Math.Abs(actual - expected);
        Assert.True(error <= tolerance,
            $"{what}: expected {expected:R}, got {actual:R} (error {error:E3}, tolerance {tolerance:E3})");
    }

    private static JsonElement Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }
}
