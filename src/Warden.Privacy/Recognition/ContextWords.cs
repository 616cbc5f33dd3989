namespace Warden.Privacy.Recognition;

/// <summary>
/// Words and phrases that make a nearby match more likely to be the entity. A phrase is found when its words appear
/// consecutively among the <c>window</c> words before the match on the same line. Words are runs of letters and
/// digits compared case-insensitively, so "SSN#", "ssn:" and "SSN" are all the word "ssn", and "d.o.b." is the
/// phrase "d o b".
/// </summary>
internal sealed class ContextWords
{
    private const int MaxWindow = 32;
    private readonly string[][] _phrases;
    private readonly string[] _display;

    public ContextWords(IEnumerable<string> phrases)
    {
        var tokenised = new List<string[]>();
        var display = new List<string>();
        foreach (var phrase in phrases)
        {
            var words = Tokenize(phrase);
            if (words.Length == 0)
                continue;
            tokenised.Add(words);
            display.Add(string.Join(' ', words));
        }

        _phrases = [.. tokenised];
        _display = [.. display];
    }

    /// <summary>Splits into lower-case words the same way text before a match is split.</summary>
    public static string[] Tokenize(string phrase)
    {
        var words = new List<string>();
        int i = 0;
        while (i < phrase.Length)
        {
            while (i < phrase.Length && !char.IsLetterOrDigit(phrase[i]))
                i++;
            int start = i;
            while (i < phrase.Length && char.IsLetterOrDigit(phrase[i]))
                i++;
            if (i > start)
                words.Add(phrase[start..i].ToLowerInvariant());
        }

        return [.. words];
    }

    /// <summary>
    /// The first phrase found among the <paramref name="window"/> words before <paramref name="start"/> (and not before
    /// <paramref name="from"/>), or null.
    /// </summary>
    public string? FindBefore(string text, int start, int window, int from = 0)
    {
        if (_phrases.Length == 0 || window <= 0)
            return null;
        window = Math.Min(window, MaxWindow);
        Span<int> starts = stackalloc int[MaxWindow];
        Span<int> ends = stackalloc int[MaxWindow];

        // Collect up to `window` words going backwards, stopping at a line break; store them in reading order.
        int count = 0;
        int i = start - 1;
        while (count < window && i >= from)
        {
            while (i >= from && !char.IsLetterOrDigit(text[i]))
            {
                if (text[i] is '\n' or '\r')
                {
                    i = -1;
                    break;
                }

                i--;
            }

            if (i < from)
                break;
            int end = i + 1;
            while (i >= from && char.IsLetterOrDigit(text[i]))
                i--;
            int slot = MaxWindow - 1 - count;
            starts[slot] = i + 1;
            ends[slot] = end;
            count++;
        }

        if (count == 0)
            return null;
        int first = MaxWindow - count;
        for (int p = 0; p < _phrases.Length; p++)
        {
            var phrase = _phrases[p];
            for (int w = first; w + phrase.Length <= MaxWindow; w++)
            {
                bool all = true;
                for (int k = 0; k < phrase.Length && all; k++)
                {
                    var word = text.AsSpan(starts[w + k], ends[w + k] - starts[w + k]);
                    all = word.Equals(phrase[k], StringComparison.OrdinalIgnoreCase);
                }

                if (all)
                    return _display[p];
            }
        }

        return null;
    }
}
