using Warden.Privacy.Tests.Corpus;

namespace Warden.Privacy.Tests;

/// <summary>
/// The analyzer runs each regex only inside candidate windows (numeric clusters, tokens around "@", lines after
/// context words…) for speed. These tests prove the windows change nothing: the results equal those of running every
/// pattern over the whole text, on the corpus and on random mixtures of its fragments.
/// </summary>
public sealed class ScopeEquivalenceTests
{
    [Fact]
    public void Windowed_analysis_equals_whole_text_analysis_on_the_corpus()
    {
        foreach (var sentence in LabelledCorpus.Generate(6, 5))
            Assert.Equal(TestAnalyzer.Default.Analyze(sentence.Text, wholeText: true), TestAnalyzer.Default.Analyze(sentence.Text));
    }

    [Fact]
    public void Windowed_analysis_equals_whole_text_analysis_on_random_fragment_soup()
    {
        // Fragments glued with random separators make edge cases the corpus lacks: values touching letters, digits
        // and punctuation, numbers merging into longer runs, context words in odd places.
        var pieces = LabelledCorpus.Generate(2, 3).SelectMany(s => s.Text.Split(' ')).Distinct().ToList();
        string[] glue = [" ", "", "-", ".", "/", ":", "(", ")", "+", "\n", "  ", "=", "@", "x", "7", "born ", "nhs ", "Mr "];
        var random = new Random(12345);
        for (int round = 0; round < 400; round++)
        {
            var text = new System.Text.StringBuilder();
            int count = 1 + random.Next(12);
            for (int i = 0; i < count; i++)
            {
                string piece = pieces[random.Next(pieces.Count)];
                if (random.Next(4) == 0)
                    piece = piece[random.Next(piece.Length)..];
                text.Append(piece).Append(glue[random.Next(glue.Length)]);
            }

            string s = text.ToString();
            Assert.Equal(TestAnalyzer.Default.Analyze(s, wholeText: true), TestAnalyzer.Default.Analyze(s));
        }
    }
}
