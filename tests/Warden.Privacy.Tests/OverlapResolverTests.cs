namespace Warden.Privacy.Tests;

/// <summary>The deterministic overlap rule: score, then length, then start, then entity type, then recognizer.</summary>
public sealed class OverlapResolverTests
{
    private static PiiMatch M(string type, int start, int end, double score, string recognizer = "r") =>
        new(type, start, end, score, recognizer, "test");

    [Fact]
    public void The_higher_score_wins_even_against_a_longer_span()
    {
        var strong = M("US_SSN", 10, 21, 0.85);
        var longer = M("PHONE_NUMBER", 5, 25, 0.5);
        Assert.Equal([strong], OverlapResolver.Resolve([longer, strong]));
    }

    [Fact]
    public void At_equal_score_the_longer_span_wins()
    {
        var url = M("URL", 0, 40, 1.0);
        var email = M("EMAIL_ADDRESS", 20, 37, 1.0);
        Assert.Equal([url], OverlapResolver.Resolve([email, url]));
    }

    [Fact]
    public void At_equal_score_and_length_the_earlier_start_wins()
    {
        var first = M("A", 0, 10, 0.5);
        var second = M("A", 5, 15, 0.5);
        Assert.Equal([first], OverlapResolver.Resolve([second, first]));
    }

    [Fact]
    public void At_equal_score_and_span_the_entity_type_in_ordinal_order_wins()
    {
        var phone = M("PHONE_NUMBER", 0, 12, 1.0);
        var nhs = M("UK_NHS", 0, 12, 1.0);
        Assert.Equal([phone], OverlapResolver.Resolve([nhs, phone]));
    }

    [Fact]
    public void At_equal_everything_else_the_recognizer_name_decides()
    {
        var a = M("X", 0, 5, 0.5, "Alpha");
        var b = M("X", 0, 5, 0.5, "Beta");
        Assert.Same(a, Assert.Single(OverlapResolver.Resolve([b, a])));
    }

    [Fact]
    public void Touching_spans_do_not_overlap_and_output_is_ordered_by_start()
    {
        var a = M("A", 10, 20, 0.5);
        var b = M("B", 0, 10, 0.9);
        var c = M("C", 20, 30, 0.7);
        Assert.Equal([b, a, c], OverlapResolver.Resolve([a, c, b]));
    }

    [Fact]
    public void A_loser_does_not_block_a_third_span_it_overlaps()
    {
        // B loses to A; C overlaps only B, so C is kept.
        var a = M("A", 0, 10, 0.9);
        var b = M("B", 8, 18, 0.8);
        var c = M("C", 15, 25, 0.7);
        Assert.Equal([a, c], OverlapResolver.Resolve([c, b, a]));
    }

    [Fact]
    public void The_result_is_the_same_for_every_input_order_and_never_overlaps()
    {
        var random = new Random(99);
        for (int round = 0; round < 200; round++)
        {
            var matches = Enumerable.Range(0, 12).Select(i =>
            {
                int start = random.Next(60);
                return M(((char)('A' + random.Next(3))).ToString(), start, start + 1 + random.Next(12), random.Next(1, 5) / 4.0, "r" + random.Next(2));
            }).ToList();
            var expected = OverlapResolver.Resolve(matches);
            var shuffled = matches.OrderBy(_ => random.Next()).ToList();
            Assert.Equal(expected, OverlapResolver.Resolve(shuffled));
            for (int i = 1; i < expected.Count; i++)
                Assert.True(expected[i - 1].End <= expected[i].Start);
            // Every dropped match overlaps a kept one that ranks before it.
            foreach (var dropped in matches.Except(expected))
            {
                Assert.Contains(expected, k => k.Start < dropped.End && dropped.Start < k.End
                    && OverlapResolver.Precedence.Compare(k, dropped) <= 0);
            }
        }
    }

    [Fact]
    public void A_card_that_also_looks_like_a_phone_is_anonymized_as_a_card()
    {
        // The analyzer reports both; the confirmed card (1.0) beats the phone fragment, so one replacement is made.
        const string text = "call 4111 1111 1111 1111";
        var result = new PiiAnonymizer().Anonymize(text, TestAnalyzer.Default.Analyze(text));
        Assert.Equal("call <CREDIT_CARD>", result.Text);
    }
}
