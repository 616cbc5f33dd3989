using System.Text.RegularExpressions;
using static Warden.Privacy.Tests.TestAnalyzer;

namespace Warden.Privacy.Tests;

/// <summary>Recognizers defined by configuration.</summary>
public sealed class CustomRecognizerTests
{
    private static PiiAnalyzer With(params CustomRecognizerDefinition[] definitions) =>
        new(new PiiAnalyzerOptions { CustomRecognizers = definitions });

    [Fact]
    public void A_custom_pattern_reports_its_entity_with_the_base_score_and_context_boost()
    {
        var analyzer = With(new CustomRecognizerDefinition
        {
            EntityType = "EMPLOYEE_ID",
            Pattern = @"\bEMP-[0-9]{6}\b",
            ContextWords = ["employee", "staff id"],
            BaseScore = 0.45,
        });
        Assert.Equal([("EMP-123456", 0.45)], Find("ref EMP-123456", "EMPLOYEE_ID", analyzer));
        Assert.Equal([("EMP-123456", 0.8)], Find("staff id: EMP-123456", "EMPLOYEE_ID", analyzer));
        var match = Single("ref EMP-123456", "EMPLOYEE_ID", analyzer);
        Assert.Equal("custom:EMPLOYEE_ID", match.Recognizer);
        Assert.Contains("EMPLOYEE_ID", analyzer.SupportedEntities);
    }

    [Theory]
    [InlineData(ChecksumAlgorithm.Luhn, "ACCT 79927398713", "ACCT 79927398710")]
    [InlineData(ChecksumAlgorithm.Mod11, "ACCT 9434765919", "ACCT 9434765918")]
    [InlineData(ChecksumAlgorithm.Mod97, "ACCT 1234567890135", "ACCT 1234567890136")]
    public void A_configured_checksum_confirms_or_drops_matches(ChecksumAlgorithm checksum, string valid, string invalid)
    {
        var analyzer = With(new CustomRecognizerDefinition { EntityType = "ACCOUNT", Pattern = @"\b[0-9]{10,13}\b", Checksum = checksum, BaseScore = 0.3 });
        Assert.Equal(1.0, Assert.Single(Find(valid, "ACCOUNT", analyzer)).Score);
        Assert.Empty(Find(invalid, "ACCOUNT", analyzer));
    }

    [Fact]
    public void A_custom_recognizer_can_require_context()
    {
        var analyzer = With(new CustomRecognizerDefinition
        {
            EntityType = "BADGE", Name = "badge", Pattern = @"\b[0-9]{5}\b", ContextWords = ["badge"], RequiresContext = true,
        });
        Assert.Empty(Find("room 12345", "BADGE", analyzer));
        var match = Single("badge 12345", "BADGE", analyzer);
        Assert.Equal("badge", match.Recognizer);
    }

    [Fact]
    public void Custom_patterns_are_compiled_for_the_non_backtracking_engine()
    {
        var analyzer = With(new CustomRecognizerDefinition { EntityType = "TICKET", Pattern = @"(a+)+b" });
        var regex = Assert.Single(analyzer.Regexes, r => r.ToString() == "(a+)+b");
        Assert.True(regex.Options.HasFlag(RegexOptions.NonBacktracking));
        // The textbook catastrophic-backtracking input is answered (correctly: no match) by a linear scan.
        Assert.Empty(Find(new string('a', 50_000) + "c", "TICKET", analyzer));
        Assert.Single(Find(new string('a', 50_000) + "b", "TICKET", analyzer));
    }

    [Theory]
    [InlineData(@"(\d)\1", "Backreferences")]
    [InlineData(@"(?<=id:)\d+", "lookarounds")]
    [InlineData(@"(?>a+)b", "atomic")]
    [InlineData(@"[unclosed", "non-backtracking")]
    public void Patterns_the_linear_engine_cannot_run_are_refused_clearly(string pattern, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => With(new CustomRecognizerDefinition { EntityType = "BAD", Pattern = pattern }));
        Assert.Contains("custom:BAD", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("lower_case", "entity type")]
    [InlineData("9STARTS_WITH_DIGIT", "entity type")]
    [InlineData("", "entity type")]
    public void Bad_entity_type_names_are_refused(string entityType, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => With(new CustomRecognizerDefinition { EntityType = entityType, Pattern = "x" }));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_scores_checksums_patterns_and_duplicate_names_are_refused()
    {
        Assert.Throws<ArgumentException>(() => With(new CustomRecognizerDefinition { EntityType = "X", Pattern = "x", BaseScore = 1.5 }));
        Assert.Throws<ArgumentException>(() => With(new CustomRecognizerDefinition { EntityType = "X", Pattern = "x", Checksum = (ChecksumAlgorithm)42 }));
        Assert.Throws<ArgumentException>(() => With(new CustomRecognizerDefinition { EntityType = "X", Pattern = "" }));
        Assert.Throws<ArgumentException>(() => With(new CustomRecognizerDefinition { EntityType = "X", Pattern = new string('a', 2001) }));
        var duplicate = Assert.Throws<ArgumentException>(() => With(
            new CustomRecognizerDefinition { EntityType = "X", Pattern = "x" },
            new CustomRecognizerDefinition { EntityType = "X", Pattern = "y" }));
        Assert.Contains("unique", duplicate.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_matches_of_a_custom_pattern_are_ignored()
    {
        var analyzer = With(new CustomRecognizerDefinition { EntityType = "EMPTY", Pattern = "x*" });
        Assert.Equal([("xx", 0.5)], Find("a xx b", "EMPTY", analyzer));
    }
}
