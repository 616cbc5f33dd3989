using System.Buffers;

namespace Warden.Privacy.Recognition;

/// <summary>A stretch of the text in which a pattern's regex runs, as [Start, End).</summary>
internal readonly record struct Window(int Start, int End);

/// <summary>
/// The text being analysed, with the candidate windows that several patterns share computed once per call.
/// </summary>
/// <param name="text">The text.</param>
/// <param name="wholeText">Run every pattern over the whole text, ignoring scopes (tests use it to prove scopes change nothing).</param>
internal sealed class AnalysisInput(string text, bool wholeText = false)
{
    private List<NumericCluster>? _clusters;
    private Dictionary<Scope, List<Window>>? _windows;

    public string Text { get; } = text;

    public List<NumericCluster> Clusters => _clusters ??= NumericCluster.FindAll(Text);

    /// <summary>The windows of <paramref name="scope"/>, found once per text even when several patterns share the scope.</summary>
    public List<Window> WindowsOf(Scope scope)
    {
        if (wholeText)
            scope = Scope.WholeText;
        _windows ??= [];
        if (!_windows.TryGetValue(scope, out var windows))
            _windows[scope] = windows = [.. scope.Windows(this)];
        return windows;
    }
}

/// <summary>
/// Where a pattern's regex runs. Running every regex over the whole text costs one automaton pass per pattern;
/// a scope instead finds, with vectorised searches, the few windows that could hold a match, so most of a log line
/// is never given to a regex. Every window's edges are text edges, whitespace, or characters that no match of the
/// pattern can contain (the window then includes that neighbour), so <c>\b</c> and every other construct match
/// exactly as they would over the whole text.
/// </summary>
internal abstract class Scope
{
    /// <summary>The whole text (custom recognizers, names).</summary>
    public static Scope WholeText { get; } = new WholeTextScope();

    /// <summary>
    /// Numeric clusters (see <see cref="NumericCluster"/>) with at least <paramref name="minDigits"/> digits and the
    /// given separators, for patterns made only of digits, spaces and <c>+ ( ) . - /</c>.
    /// </summary>
    /// <param name="minDigits">Digits the cluster must have in all.</param>
    /// <param name="minRun">Consecutive digits the cluster must have somewhere (for undelimited numbers).</param>
    /// <param name="minDots">Dots the cluster must have (IPv4).</param>
    /// <param name="plus">Whether the cluster must contain "+".</param>
    /// <param name="bracket">Whether the cluster must contain "(" or ")".</param>
    /// <param name="zeroLed">Whether a digit group must start with 0 after a non-digit (national trunk prefix).</param>
    /// <param name="delimitedFour">Whether a group of exactly four digits must come after another group (the last
    /// group of an SSN or a NANP number, or the second of a card in groups of four).</param>
    public static Scope Numeric(
        int minDigits, int minRun = 1, int minDots = 0, bool plus = false, bool bracket = false, bool zeroLed = false, bool delimitedFour = false) =>
        new NumericScope(minDigits, minRun, minDots, plus, bracket, zeroLed, delimitedFour);

    /// <summary>Whitespace-delimited tokens containing one of <paramref name="anchors"/> (case-insensitive) and passing <paramref name="accept"/>.</summary>
    public static Scope Tokens(string[] anchors, Func<ReadOnlySpan<char>, bool>? accept = null) => new TokenScope(anchors, accept);

    /// <summary>Stretches of upper-case letters, digits and spaces that start with two capitals and a digit (IBANs, NINOs).</summary>
    public static Scope CapitalsThenDigits { get; } = new CapitalsScope();

    /// <summary>From each occurrence of one of <paramref name="words"/> (case-insensitive) to the end of its line.</summary>
    public static Scope RestOfLineAfter(string[] words) => new AfterWordsScope(words);

    public abstract IEnumerable<Window> Windows(AnalysisInput input);

    private static readonly SearchValues<char> LineBreaks = SearchValues.Create("\r\n");
    private static readonly SearchValues<char> Whitespace = SearchValues.Create(" \t\r\n\f\v");

    private sealed class WholeTextScope : Scope
    {
        public override IEnumerable<Window> Windows(AnalysisInput input) => [new Window(0, input.Text.Length)];
    }

    private sealed class NumericScope(int minDigits, int minRun, int minDots, bool plus, bool bracket, bool zeroLed, bool delimitedFour) : Scope
    {
        public override IEnumerable<Window> Windows(AnalysisInput input)
        {
            int length = input.Text.Length;
            foreach (var c in input.Clusters)
            {
                if (c.Digits >= minDigits && c.LongestRun >= minRun && c.Dots >= minDots
                    && (!plus || c.HasPlus) && (!bracket || c.HasBracket) && (!zeroLed || c.HasZeroLedGroup)
                    && (!delimitedFour || c.HasDelimitedFour))
                {
                    // A digit-led cluster follows a non-word character, which the window's start stands for; the
                    // character after the cluster is included so that a closing \b sees it.
                    yield return new Window(c.Start, Math.Min(length, c.End + 1));
                }
            }
        }
    }

    private sealed class TokenScope(string[] anchors, Func<ReadOnlySpan<char>, bool>? accept) : Scope
    {
        private readonly SearchValues<string> _anchors = SearchValues.Create(anchors, StringComparison.OrdinalIgnoreCase);

        public override IEnumerable<Window> Windows(AnalysisInput input)
        {
            string text = input.Text;
            var windows = new List<Window>();
            int from = 0;
            while (from < text.Length)
            {
                int hit = text.AsSpan(from).IndexOfAny(_anchors);
                if (hit < 0)
                    break;
                hit += from;
                int start = text.AsSpan(0, hit).LastIndexOfAny(Whitespace) + 1;
                int end = text.AsSpan(hit).IndexOfAny(Whitespace);
                end = end < 0 ? text.Length : hit + end;
                if (accept is null || accept(text.AsSpan(start, end - start)))
                    windows.Add(new Window(start, end));
                from = Math.Max(end, hit + 1);
            }

            return windows;
        }
    }

    private sealed class CapitalsScope : Scope
    {
        public override IEnumerable<Window> Windows(AnalysisInput input)
        {
            string text = input.Text;
            int i = 0;
            while (i < text.Length - 2)
            {
                int hit = text.AsSpan(i, text.Length - i - 2).IndexOfAnyInRange('A', 'Z');
                if (hit < 0)
                    yield break;
                int p = i + hit;
                bool candidate = char.IsAsciiLetterUpper(text[p + 1])
                    && (p == 0 || !Spans.IsWordChar(text[p - 1]))
                    && (char.IsAsciiDigit(text[p + 2]) || (text[p + 2] == ' ' && p + 3 < text.Length && char.IsAsciiDigit(text[p + 3])));
                if (!candidate)
                {
                    i = p + 1;
                    continue;
                }

                int end = p + 2;
                while (end < text.Length && (char.IsAsciiLetterUpper(text[end]) || char.IsAsciiDigit(text[end]) || text[end] == ' '))
                    end++;
                yield return new Window(p, Math.Min(text.Length, end + 1));
                i = end;
            }
        }
    }

    private sealed class AfterWordsScope(string[] words) : Scope
    {
        private readonly SearchValues<string> _words = SearchValues.Create(words, StringComparison.OrdinalIgnoreCase);

        public override IEnumerable<Window> Windows(AnalysisInput input)
        {
            string text = input.Text;
            var windows = new List<Window>();
            int from = 0;
            while (from < text.Length)
            {
                int hit = text.AsSpan(from).IndexOfAny(_words);
                if (hit < 0)
                    break;
                hit += from;
                int end = text.AsSpan(hit).IndexOfAny(LineBreaks);
                end = end < 0 ? text.Length : hit + end;
                windows.Add(new Window(hit, end));
                from = Math.Max(end, hit + 1);
            }

            return windows;
        }
    }
}

/// <summary>
/// A maximal run of digits, spaces and the separators <c>+ ( ) . - /</c> that starts with a digit not glued to a word
/// (or with "+" or "("), trimmed to end on a digit or ")". Every built-in number pattern (cards, SSNs, phones, IPv4,
/// NHS) lies inside one cluster, so a pattern only needs to run where a cluster has enough digits for it.
/// </summary>
internal readonly record struct NumericCluster(
    int Start, int End, int Digits, int LongestRun, int Dots, bool HasPlus, bool HasBracket, bool HasZeroLedGroup, bool HasDelimitedFour)
{
    /// <summary>No built-in number has fewer digits (an IPv4 address has four), so smaller clusters are not kept.</summary>
    private const int MinDigits = 4;

    private static readonly SearchValues<char> Starts = SearchValues.Create("0123456789(+");

    private static bool InCluster(char c) => char.IsAsciiDigit(c) || c is ' ' or '+' or '(' or ')' or '.' or '-' or '/';

    public static List<NumericCluster> FindAll(string text)
    {
        var clusters = new List<NumericCluster>();
        int i = 0;
        while (i < text.Length)
        {
            int hit = text.AsSpan(i).IndexOfAny(Starts);
            if (hit < 0)
                break;
            int p = i + hit;
            if (char.IsAsciiDigit(text[p]) && p > 0 && Spans.IsWordChar(text[p - 1]))
            {
                // A digit inside a word ("T10", "x64"): no \b-anchored number starts here; skip the word.
                i = Spans.EndOfWord(text, p);
                continue;
            }

            int end = p, digits = 0, dots = 0, run = 0, longestRun = 0;
            bool hasPlus = false, hasBracket = false, zeroLed = false, delimitedFour = false;
            int groups = 0;
            while (end < text.Length && InCluster(text[end]))
            {
                char c = text[end++];
                if (char.IsAsciiDigit(c))
                {
                    zeroLed |= run == 0 && c == '0';
                    digits++;
                    run++;
                    longestRun = Math.Max(longestRun, run);
                    continue;
                }

                if (run > 0)
                {
                    delimitedFour |= run == 4 && groups > 0;
                    groups++;
                }

                run = 0;
                if (c == '.') dots++;
                else if (c == '+') hasPlus = true;
                else if (c is '(' or ')') hasBracket = true;
            }

            delimitedFour |= run == 4 && groups > 0;
            int trimmed = end;
            while (trimmed > p && !char.IsAsciiDigit(text[trimmed - 1]) && text[trimmed - 1] != ')')
                trimmed--;
            if (digits >= MinDigits)
                clusters.Add(new NumericCluster(p, trimmed, digits, longestRun, dots, hasPlus, hasBracket, zeroLed, delimitedFour));
            i = Math.Max(end, p + 1);
        }

        return clusters;
    }
}
