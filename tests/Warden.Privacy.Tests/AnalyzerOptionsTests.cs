namespace Warden.Privacy.Tests;

/// <summary>Building analyzers: entity selection, option validation, and the analysis contract.</summary>
public sealed class AnalyzerOptionsTests
{
    [Fact]
    public void Only_the_selected_entity_types_are_detected()
    {
        var analyzer = new PiiAnalyzer(new PiiAnalyzerOptions { Entities = [EntityTypes.EmailAddress, EntityTypes.IpAddress] });
        var results = analyzer.Analyze("alice@example.com 10.0.0.1 4111 1111 1111 1111 ssn 536-22-1234");
        Assert.Equal([EntityTypes.EmailAddress, EntityTypes.IpAddress], results.Select(r => r.EntityType));
        Assert.Equal([EntityTypes.EmailAddress, EntityTypes.IpAddress], analyzer.SupportedEntities.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_unknown_entity_type_is_a_clear_error()
    {
        var error = Assert.Throws<ArgumentException>(() => new PiiAnalyzer(new PiiAnalyzerOptions { Entities = ["EMAIL"] }));
        Assert.Contains("EMAIL", error.Message, StringComparison.Ordinal);
        Assert.Contains(EntityTypes.EmailAddress, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.1, 0.35, 0.4, 5)]
    [InlineData(1.1, 0.35, 0.4, 5)]
    [InlineData(double.NaN, 0.35, 0.4, 5)]
    [InlineData(0.4, -1, 0.4, 5)]
    [InlineData(0.4, 0.35, 2, 5)]
    [InlineData(0.4, 0.35, 0.4, -1)]
    [InlineData(0.4, 0.35, 0.4, 33)]
    public void Out_of_range_options_are_refused_with_their_name(double minScore, double boost, double floor, int window)
    {
        var options = new PiiAnalyzerOptions { MinScore = minScore, ContextBoost = boost, MinScoreWithContext = floor, ContextWindowWords = window };
        var error = Assert.Throws<ArgumentException>(() => new PiiAnalyzer(options));
        Assert.Matches("MinScore|ContextBoost|MinScoreWithContext|ContextWindowWords", error.Message);
    }

    [Fact]
    public void Every_built_in_entity_type_is_supported_by_default() =>
        Assert.Equal(EntityTypes.All.Order(StringComparer.Ordinal), new PiiAnalyzer().SupportedEntities.Order(StringComparer.Ordinal));

    [Fact]
    public void Empty_text_has_no_detections_and_null_is_refused()
    {
        Assert.Empty(TestAnalyzer.Default.Analyze(""));
        Assert.Throws<ArgumentNullException>(() => TestAnalyzer.Default.Analyze(null!));
    }

    [Fact]
    public void One_analyzer_gives_the_same_answers_from_many_threads()
    {
        var sentences = Corpus.LabelledCorpus.Generate(4, 7).Select(s => s.Text).ToList();
        var expected = sentences.Select(s => TestAnalyzer.Default.Analyze(s)).ToList();
        var actual = new IReadOnlyList<PiiMatch>[sentences.Count];
        Parallel.For(0, sentences.Count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => actual[i] = TestAnalyzer.Default.Analyze(sentences[i]));
        for (int i = 0; i < sentences.Count; i++)
            Assert.Equal(expected[i], actual[i]);
    }
}
