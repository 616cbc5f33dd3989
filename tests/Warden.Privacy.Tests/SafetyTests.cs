using System.Text.RegularExpressions;
using static Warden.Privacy.Tests.TestAnalyzer;

namespace Warden.Privacy.Tests;

/// <summary>
/// Denial-of-service safety without timing: every regex the analyzer runs uses the linear-time engine, and inputs
/// built to make backtracking engines explode get the right answer. (How fast is a benchmark's business.)
/// </summary>
public sealed class SafetyTests
{
    [Fact]
    public void Every_analyzer_regex_is_non_backtracking()
    {
        var analyzer = new PiiAnalyzer(new PiiAnalyzerOptions
        {
            CustomRecognizers = [new CustomRecognizerDefinition { EntityType = "CUSTOM", Pattern = @"\bC-[0-9]+\b" }],
        });
        var regexes = analyzer.Regexes.ToList();
        Assert.True(regexes.Count >= 25, $"only {regexes.Count} regexes found");
        Assert.All(regexes, r => Assert.True(r.Options.HasFlag(RegexOptions.NonBacktracking), $"{r} is not NonBacktracking"));
        Assert.True(Recognition.Patterns.EncryptedToken().Options.HasFlag(RegexOptions.NonBacktracking));
    }

    public static TheoryData<string, string> Adversarial => new()
    {
        { new string('1', 100_000), "" },
        { string.Concat(Enumerable.Repeat("1-", 50_000)), "" },
        { new string('a', 100_000) + "@", "" },
        { string.Concat(Enumerable.Repeat("a.", 50_000)) + "@x", "" },
        { string.Concat(Enumerable.Repeat(":", 100_000)), "" },
        { string.Concat(Enumerable.Repeat("1:", 50_000)), "" },
        { string.Concat(Enumerable.Repeat("Aa ", 50_000)), "" },
        { "+" + string.Concat(Enumerable.Repeat("1 ", 50_000)), "" },
        { string.Concat(Enumerable.Repeat("(", 50_000)) + "212) 555-0142", "PHONE_NUMBER" },
        { "https://" + new string('a', 100_000), "" },
        { string.Concat(Enumerable.Repeat("GB82 ", 20_000)), "" },
        { new string(' ', 100_000) + "alice@example.com", "EMAIL_ADDRESS" },
        { string.Concat(Enumerable.Repeat("born ", 20_000)) + "03/04/1985", "DATE_OF_BIRTH" },
        { string.Concat(Enumerable.Repeat("1.", 50_000)) + " 10.0.0.1", "IP_ADDRESS" },
    };

    [Theory]
    [MemberData(nameof(Adversarial))]
    public void Pathological_inputs_get_the_correct_answer(string text, string expected)
    {
        var types = TestAnalyzer.Default.Analyze(text).Select(m => m.EntityType).Distinct().ToList();
        if (expected.Length == 0)
            Assert.Empty(types);
        else
            Assert.Equal([expected], types);
    }

    [Fact]
    public void A_long_log_gives_the_same_detections_as_its_lines_one_by_one()
    {
        var lines = Corpus.LabelledCorpus.Generate(5, 11).Select(s => s.Text).ToList();
        string log = string.Join('\n', lines);
        var whole = TestAnalyzer.Default.Analyze(log).Select(m => (m.EntityType, Value: log[m.Start..m.End])).ToList();
        var byLine = lines.SelectMany(l => TestAnalyzer.Default.Analyze(l).Select(m => (m.EntityType, Value: l[m.Start..m.End]))).ToList();
        Assert.Equal(byLine, whole);
    }
}
