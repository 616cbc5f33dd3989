using System.Text.RegularExpressions;

namespace Warden.Privacy.Recognition;

/// <summary>One pattern of a recognizer: a regex, its base score, and how its matches are validated.</summary>
/// <param name="Name">Shown in explanations, such as "SSN (delimited)".</param>
/// <param name="Regex">Always constructed with <see cref="RegexOptions.NonBacktracking"/>.</param>
/// <param name="Score">The score before validation and context.</param>
/// <param name="Validate">Confirms, rejects or narrows a match.</param>
/// <param name="RequiresContext">When set, matches without a context word before them are dropped.</param>
/// <param name="Scope">Where the regex runs; the whole text when null.</param>
internal sealed record RecognizerPattern(string Name, Regex Regex, double Score, Validator Validate, bool RequiresContext = false, Scope? Scope = null)
{
    public ScoreRule Rule { get; } = new(Name, Score, RequiresContext);
}

/// <summary>Finds one entity type in text.</summary>
internal abstract class Recognizer(string name, string entityType, ContextWords context)
{
    public string Name { get; } = name;

    public string EntityType { get; } = entityType;

    public ContextWords Context { get; } = context;

    /// <summary>Every regex the recognizer runs (tests check that each is non-backtracking).</summary>
    public abstract IEnumerable<Regex> Regexes { get; }

    public abstract void Analyze(AnalysisInput input, Scorer scorer, List<PiiMatch> results);
}

/// <summary>A recognizer made of regex patterns, each with a validator.</summary>
/// <param name="name">The recognizer's name in results.</param>
/// <param name="entityType">The entity type it reports.</param>
/// <param name="patterns">Its patterns.</param>
/// <param name="context">Its context words.</param>
/// <param name="contextStopsAtPreviousMatch">
/// When set, a context word only supports the first candidate after it: the search for context stops at the end of
/// the previous candidate (even a rejected one), so "born 03/04/1985, admitted 05/06/2020" marks only the first date.
/// </param>
internal sealed class PatternRecognizer(
    string name,
    string entityType,
    IReadOnlyList<RecognizerPattern> patterns,
    ContextWords context,
    bool contextStopsAtPreviousMatch = false) : Recognizer(name, entityType, context)
{
    public IReadOnlyList<RecognizerPattern> Patterns { get; } = patterns;

    public override IEnumerable<Regex> Regexes => Patterns.Select(p => p.Regex);

    public override void Analyze(AnalysisInput input, Scorer scorer, List<PiiMatch> results)
    {
        string text = input.Text;
        if (contextStopsAtPreviousMatch)
        {
            AnalyzeInOrder(input, scorer, results);
            return;
        }

        foreach (var pattern in Patterns)
        {
            foreach (var window in input.WindowsOf(pattern.Scope ?? Scope.WholeText))
            {
                foreach (var match in pattern.Regex.EnumerateMatches(text.AsSpan(window.Start, window.End - window.Start)))
                    Score(text, scorer, results, pattern, window.Start + match.Index, window.Start + match.Index + match.Length, 0);
            }
        }
    }

    private void AnalyzeInOrder(AnalysisInput input, Scorer scorer, List<PiiMatch> results)
    {
        string text = input.Text;
        var candidates = new List<(int Start, int End, RecognizerPattern Pattern)>();
        foreach (var pattern in Patterns)
        {
            foreach (var window in input.WindowsOf(pattern.Scope ?? Scope.WholeText))
            {
                foreach (var match in pattern.Regex.EnumerateMatches(text.AsSpan(window.Start, window.End - window.Start)))
                    candidates.Add((window.Start + match.Index, window.Start + match.Index + match.Length, pattern));
            }
        }

        candidates.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.End.CompareTo(a.End));
        for (int i = 0; i < candidates.Count; i++)
        {
            var (start, end, pattern) = candidates[i];
            int from = 0;
            for (int k = 0; k < i; k++)
            {
                if (candidates[k].End <= start)
                    from = Math.Max(from, candidates[k].End);
            }

            Score(text, scorer, results, pattern, start, end, from);
        }
    }

    private void Score(string text, Scorer scorer, List<PiiMatch> results, RecognizerPattern pattern, int start, int end, int contextFrom)
    {
        if (end == start)
            return;
        var validation = pattern.Validate(text, start, end);
        if (validation.HasSpan)
            (start, end) = (validation.Start, validation.End);
        var result = scorer.Score(text, this, pattern.Rule, validation, start, end, contextFrom);
        if (result is not null)
            results.Add(result);
    }
}
