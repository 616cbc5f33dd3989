using System.Text.RegularExpressions;

namespace Warden.Privacy.Recognition;

/// <summary>
/// Names found without a language model: runs of capitalised words are read word by word against the given-name and
/// family-name lists, and a title (Mr, Mrs, Ms, Dr, …) makes the capitalised word after it a name. Lower-case names
/// ("user=alice") are not detected.
/// </summary>
internal sealed class PersonRecognizer : Recognizer
{
    private const int MaxWords = 64;

    private const byte Title = 1, First = 2, Last = 4;
    private static readonly string[] Titles = ["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor", "Sir", "Dame", "Lady", "Lord"];

    // One lookup per word gives all three facts (title, given name, family name).
    private readonly Dictionary<string, byte>.AlternateLookup<ReadOnlySpan<char>> _kinds;
    private readonly ScoreRule _titled = new("title + capitalised name", 0.85);
    private readonly ScoreRule _fullName = new("given name + family name", 0.85);
    private readonly ScoreRule _firstAndWord = new("given name + capitalised word", 0.6);
    private readonly ScoreRule _wordAndLast = new("capitalised word + family name", 0.35);
    private readonly ScoreRule _firstOnly = new("given name alone", 0.35);

    public PersonRecognizer(IEnumerable<string> firstNames, IEnumerable<string> lastNames)
        : base("PersonRecognizer", EntityTypes.Person, new(["name", "names", "customer", "patient", "user", "client", "contact",
            "employee", "applicant", "member", "signed", "dear", "attn", "cardholder", "holder", "mr", "mrs", "ms", "dr"]))
    {
        var kinds = new Dictionary<string, byte>(StringComparer.OrdinalIgnoreCase);
        void Add(IEnumerable<string> words, byte kind)
        {
            foreach (var word in words.Where(w => !string.IsNullOrWhiteSpace(w)).Select(w => w.Trim()))
                kinds[word] = (byte)(kinds.GetValueOrDefault(word) | kind);
        }

        Add(Titles, Title);
        Add(firstNames, First);
        Add(lastNames, Last);
        _kinds = kinds.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Names are found by scanning, not by a regex.</summary>
    public override IEnumerable<Regex> Regexes => [];

    /// <summary>
    /// Finds runs of capitalised words separated by single spaces. A capitalised word is an upper-case letter followed
    /// by a lower-case letter or an apostrophe, then letters, apostrophes or hyphens, ending on a lower-case letter,
    /// and not glued to a letter, digit or underscore on either side ("Alice", "O'Brien", "Smith-Jones", "McDonald";
    /// not "INFO", "Alice2" or "iPhone").
    /// </summary>
    public override void Analyze(AnalysisInput input, Scorer scorer, List<PiiMatch> results)
    {
        string text = input.Text;
        bool ascii = System.Text.Ascii.IsValid(text);
        Span<int> starts = stackalloc int[MaxWords];
        Span<int> ends = stackalloc int[MaxWords];
        int i = 0;
        while (i < text.Length)
        {
            int p = ascii ? IndexOfAsciiUpper(text, i) : NextUpper(text, i);
            if (p < 0)
                break;
            // Most capitals in logs start "INFO", "GET" or sit inside a word ("27T10"): reject those on two characters.
            if (p + 1 >= text.Length || !(char.IsLower(text[p + 1]) || text[p + 1] is '\'' or '’') || (p > 0 && Spans.IsWordChar(text[p - 1])))
            {
                i = Spans.EndOfWord(text, p);
                continue;
            }

            int n = 0, at = p, runEnd = p;
            while (n < MaxWords)
            {
                int end = CapitalisedWordEnd(text, at);
                if (end < 0)
                    break;
                starts[n] = at;
                // Drop a possessive "'s" so "Alice Smith's" finds "Smith".
                ends[n] = end >= at + 3 && text[end - 2] is '\'' or '’' && text[end - 1] == 's' ? end - 2 : end;
                n++;
                runEnd = end;
                if (end + 1 < text.Length && text[end] == ' ' && char.IsUpper(text[end + 1]))
                    at = end + 1;
                else
                    break;
            }

            if (n == 0)
            {
                i = Spans.EndOfWord(text, p);
                continue;
            }

            AnalyzeRun(text, scorer, results, starts[..n], ends[..n]);
            i = runEnd;
        }
    }

    /// <summary>The end of the capitalised word starting at <paramref name="at"/>, or -1 when there is none.</summary>
    private static int CapitalisedWordEnd(string text, int at)
    {
        if (!char.IsUpper(text[at]))
            return -1;
        int j = at + 1;
        while (j < text.Length && (char.IsUpper(text[j]) || char.IsLower(text[j]) || text[j] is '\'' or '’' or '-'))
            j++;
        while (j > at + 1 && !char.IsLower(text[j - 1]))
            j--;
        if (j == at + 1 || (j < text.Length && Spans.IsWordChar(text[j])))
            return -1;
        return j;
    }

    private static int IndexOfAsciiUpper(string text, int from)
    {
        int hit = text.AsSpan(from).IndexOfAnyInRange('A', 'Z');
        return hit < 0 ? -1 : from + hit;
    }

    /// <summary>The next upper-case letter at or after <paramref name="from"/>: a vectorised search for A–Z, and a
    /// check of any non-ASCII character met before it.</summary>
    private static int NextUpper(string text, int from)
    {
        var span = text.AsSpan(from);
        int ascii = span.IndexOfAnyInRange('A', 'Z');
        var before = ascii < 0 ? span : span[..ascii];
        int offset = 0;
        while (true)
        {
            int other = before[offset..].IndexOfAnyExceptInRange('\0', '\u007F');
            if (other < 0)
                break;
            offset += other;
            if (char.IsUpper(before[offset]))
                return from + offset;
            offset++;
        }

        return ascii < 0 ? -1 : from + ascii;
    }

    private void AnalyzeRun(string text, Scorer scorer, List<PiiMatch> results, ReadOnlySpan<int> starts, ReadOnlySpan<int> ends)
    {
        int n = starts.Length;
        Span<byte> kind = stackalloc byte[n];
        for (int k = 0; k < n; k++)
        {
            kind[k] = _kinds.TryGetValue(text.AsSpan(starts[k], ends[k] - starts[k]), out var found) ? found : (byte)0;
        }

        int i = 0;
        while (i < n)
        {
            if ((kind[i] & Title) != 0)
            {
                i++;
                continue;
            }

            bool titled = i > 0 ? (kind[i - 1] & Title) != 0 : TitleBefore(text, starts[0]);
            int j = i + 1;
            ScoreRule? rule = null;
            if (titled)
            {
                // After a title the capitalised words that follow are the name ("Dr Tamsin Oyelaran"), up to three.
                while (j < n && j - i < 3 && (kind[j] & Title) == 0)
                    j++;
                rule = _titled;
            }
            else if ((kind[i] & First) != 0)
            {
                bool knownLast = false;
                if (j < n && (kind[j] & Title) == 0)
                {
                    knownLast = (kind[j] & Last) != 0;
                    j++;
                    while (j < n && j - i < 4 && (kind[j] & Last) != 0)
                        j++;
                }

                rule = j == i + 1 ? _firstOnly : knownLast ? _fullName : _firstAndWord;
            }
            else if (j < n && (kind[j] & (Last | First | Title)) == Last)
            {
                j++;
                rule = _wordAndLast;
            }

            if (rule is null)
            {
                i++;
                continue;
            }

            var match = scorer.Score(text, this, rule.Value, Validation.Plausible("name lists"), starts[i], ends[j - 1]);
            if (match is not null)
                results.Add(match);
            i = j;
        }
    }

    /// <summary>True when a title ("Mr", "Dr.", …) ends just before <paramref name="start"/> (spaces and one dot between).</summary>
    private bool TitleBefore(string text, int start)
    {
        int i = start - 1;
        while (i >= 0 && text[i] == ' ')
            i--;
        if (i >= 0 && text[i] == '.')
            i--;
        int end = i + 1;
        while (i >= 0 && char.IsLetter(text[i]))
            i--;
        return end - i > 1 && _kinds.TryGetValue(text.AsSpan(i + 1, end - i - 1), out var kind) && (kind & Title) != 0;
    }
}
