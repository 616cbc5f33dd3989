using static Warden.Privacy.Tests.TestAnalyzer;

namespace Warden.Privacy.Tests;

/// <summary>The score rules of docs/privacy.md: base score, validation, the context boost and its window, thresholds.</summary>
public sealed class ScoringTests
{
    [Fact]
    public void A_context_word_adds_the_boost_to_an_unconfirmed_match()
    {
        Assert.Equal([("536-22-1234", 0.5)], Find("verify 536-22-1234", EntityTypes.UsSsn));
        Assert.Equal([("536-22-1234", 0.85)], Find("ssn 536-22-1234", EntityTypes.UsSsn));
    }

    [Fact]
    public void The_boost_lifts_a_weak_match_at_least_to_the_floor()
    {
        var analyzer = new PiiAnalyzer(new PiiAnalyzerOptions { ContextBoost = 0.05, MinScoreWithContext = 0.45, MinScore = 0 });
        // Bare nine digits score 0.3; 0.3 + 0.05 is below the floor, so the floor applies.
        Assert.Equal([("536221234", 0.45)], Find("ssn 536221234", EntityTypes.UsSsn, analyzer));
    }

    [Fact]
    public void A_confirmed_match_scores_one_with_or_without_context()
    {
        Assert.Equal([("4111 1111 1111 1111", 1.0)], Find("ref 4111 1111 1111 1111", EntityTypes.CreditCard));
        Assert.Equal([("4111 1111 1111 1111", 1.0)], Find("card 4111 1111 1111 1111", EntityTypes.CreditCard));
    }

    [Theory]
    [InlineData("ssn is: 536221234", true)]
    [InlineData("SSN# 536221234", true)]
    [InlineData("ssn one two three four 536221234", true)]
    [InlineData("ssn one two three four five 536221234", false)]
    [InlineData("ssn\n536221234", false)]
    [InlineData("536221234 ssn", false)]
    [InlineData("ssnx 536221234", false)]
    public void Context_words_count_within_five_words_before_the_match_on_the_same_line(string text, bool found) =>
        Assert.Equal(found, Find(text, EntityTypes.UsSsn).Count == 1);

    [Fact]
    public void The_context_window_is_configurable()
    {
        var wide = new PiiAnalyzer(new PiiAnalyzerOptions { ContextWindowWords = 6 });
        Assert.Single(Find("ssn one two three four five 536221234", EntityTypes.UsSsn, wide));
        var none = new PiiAnalyzer(new PiiAnalyzerOptions { ContextWindowWords = 0 });
        Assert.Empty(Find("ssn 536221234", EntityTypes.UsSsn, none));
    }

    [Fact]
    public void Multi_word_context_phrases_must_appear_in_order()
    {
        Assert.Single(Find("social security 536221234", EntityTypes.UsSsn));
        Assert.Empty(Find("security social 536221234", EntityTypes.UsSsn));
    }

    [Fact]
    public void The_minimum_score_drops_weaker_detections()
    {
        var strict = new PiiAnalyzer(new PiiAnalyzerOptions { MinScore = 0.6 });
        Assert.Empty(Find("verify 536-22-1234", EntityTypes.UsSsn, strict));
        Assert.Single(Find("ssn 536-22-1234", EntityTypes.UsSsn, strict));
        var lax = new PiiAnalyzer(new PiiAnalyzerOptions { MinScore = 0.2 });
        Assert.Single(Find("ref 536221234", EntityTypes.UsSsn, lax));
    }

    [Fact]
    public void The_explanation_names_the_pattern_the_validation_and_the_context()
    {
        var match = Single("ssn 536-22-1234", EntityTypes.UsSsn);
        Assert.Equal("UsSsnRecognizer", match.Recognizer);
        Assert.Contains("SSN (delimited)", match.Explanation, StringComparison.Ordinal);
        Assert.Contains("base 0.5", match.Explanation, StringComparison.Ordinal);
        Assert.Contains("issuable", match.Explanation, StringComparison.Ordinal);
        Assert.Contains("context \"ssn\"", match.Explanation, StringComparison.Ordinal);
        Assert.Contains("score 0.85", match.Explanation, StringComparison.Ordinal);

        var card = Single("4111 1111 1111 1111", EntityTypes.CreditCard);
        Assert.Contains("Luhn check digit valid (Visa)", card.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Offsets_are_utf16_code_units_of_the_analysed_string()
    {
        // Each emoji is two UTF-16 code units (a surrogate pair); "é" is one; CJK characters are one each.
        const string text = "😀😀 café 名前 alice@example.com 🙂 +44 20 7946 0958";
        foreach (var match in TestAnalyzer.Default.Analyze(text))
        {
            Assert.Equal(match.End - match.Start, match.Length);
            Assert.False(char.IsLowSurrogate(text[match.Start]));
        }

        var email = Single(text, EntityTypes.EmailAddress);
        Assert.Equal(text.IndexOf("alice@", StringComparison.Ordinal), email.Start);
        Assert.Equal("alice@example.com", text[email.Start..email.End]);
        var phone = Single(text, EntityTypes.PhoneNumber);
        Assert.Equal("+44 20 7946 0958", text[phone.Start..phone.End]);
        Assert.Equal(text.Length, phone.End);
    }

    [Fact]
    public void Results_are_ordered_by_start_then_end()
    {
        const string text = "alice@example.com from 10.0.0.1 card 4111 1111 1111 1111 ssn 536-22-1234";
        var results = TestAnalyzer.Default.Analyze(text);
        Assert.Equal(4, results.Count);
        Assert.Equal(results.OrderBy(r => r.Start).ThenBy(r => r.End).ToList(), results);
    }

    [Fact]
    public void Same_type_detections_contained_in_a_stronger_one_are_merged()
    {
        // "+1 415 555 0132" matches the international pattern; "415 555 0132" inside it also fits the US pattern.
        var phones = Find("phone +1 415 555 0132", EntityTypes.PhoneNumber);
        Assert.Equal([("+1 415 555 0132", 1.0)], phones);
    }
}
