namespace Warden.Privacy.Tests;

/// <summary>One shared analyzer (they are immutable and thread-safe) and helpers to read its results.</summary>
internal static class TestAnalyzer
{
    public static PiiAnalyzer Default { get; } = new();

    /// <summary>The detections of <paramref name="entityType"/> in <paramref name="text"/> as (value, score).</summary>
    public static List<(string Value, double Score)> Find(string text, string entityType, PiiAnalyzer? analyzer = null) =>
        (analyzer ?? Default).Analyze(text)
            .Where(m => m.EntityType == entityType)
            .Select(m => (text[m.Start..m.End], m.Score))
            .ToList();

    public static PiiMatch Single(string text, string entityType, PiiAnalyzer? analyzer = null) =>
        Assert.Single((analyzer ?? Default).Analyze(text), m => m.EntityType == entityType);
}
