using System.Text.RegularExpressions;
using Warden.Privacy.Recognition;

namespace Warden.Privacy;

/// <summary>
/// Finds personal data in text with pattern recognizers, validators and context words, in the manner of
/// Microsoft Presidio's analyzer. Pure: no I/O, no clock, no shared state; one instance is safe to use from many
/// threads at once. Build it once (it compiles the regexes) and reuse it.
/// </summary>
public sealed class PiiAnalyzer
{
    private readonly Recognizer[] _recognizers;
    private readonly Scorer _scorer;

    /// <summary>Creates an analyzer with the built-in recognizers, filtered and extended by <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">An option is out of range or a custom recognizer is invalid.</exception>
    public PiiAnalyzer(PiiAnalyzerOptions? options = null)
    {
        Options = options ?? new PiiAnalyzerOptions();
        Validate(Options);
        _scorer = new Scorer(Options);
        var recognizers = new List<Recognizer>
        {
            NetworkRecognizers.Email(),
            NetworkRecognizers.Url(),
            NetworkRecognizers.IpAddress(),
            PhoneRecognizer.Create(),
            NumberRecognizers.CreditCard(),
            NumberRecognizers.Iban(),
            NumberRecognizers.UsSsn(),
            NumberRecognizers.UsItin(),
            NumberRecognizers.UkNino(),
            NumberRecognizers.UkNhs(),
            DateOfBirthRecognizer.Create(Options.MaxBirthYear),
            new PersonRecognizer(Options.FirstNames ?? PersonNames.DefaultFirstNames, Options.LastNames ?? PersonNames.DefaultLastNames),
        };
        recognizers.AddRange(Options.CustomRecognizers.Select(CustomRecognizer.Create));
        var entities = Options.Entities is null ? null : new HashSet<string>(Options.Entities, StringComparer.Ordinal);
        var unknown = entities?.Where(e => !recognizers.Exists(r => r.EntityType == e)).ToList();
        if (unknown is { Count: > 0 })
        {
            throw new ArgumentException(
                $"Unknown entity type(s) {string.Join(", ", unknown)}; known: {string.Join(", ", recognizers.Select(r => r.EntityType).Distinct())}.",
                nameof(options));
        }

        _recognizers = [.. recognizers.Where(r => entities is null || entities.Contains(r.EntityType))];
    }

    /// <summary>The options this analyzer was built with.</summary>
    public PiiAnalyzerOptions Options { get; }

    /// <summary>The entity types this analyzer can report.</summary>
    public IReadOnlyList<string> SupportedEntities => [.. _recognizers.Select(r => r.EntityType).Distinct()];

    /// <summary>Every regex the analyzer runs (for tests: each must be non-backtracking).</summary>
    internal IEnumerable<Regex> Regexes => _recognizers.SelectMany(r => r.Regexes);

    /// <summary>
    /// Detects personal data in <paramref name="text"/>. Results are ordered by start, then end, then entity type.
    /// Detections of different types may overlap (a card number can also look like a phone number); a detection
    /// contained in another of the same type with at least its score is dropped. Use
    /// <see cref="OverlapResolver.Resolve"/> (the anonymizer does) to pick one detection per stretch of text.
    /// </summary>
    public IReadOnlyList<PiiMatch> Analyze(string text) => Analyze(text, wholeText: false);

    /// <summary>Analyses with every pattern run over the whole text instead of its candidate windows (for tests).</summary>
    internal IReadOnlyList<PiiMatch> Analyze(string text, bool wholeText)
    {
        ArgumentNullException.ThrowIfNull(text);
        var results = new List<PiiMatch>();
        if (text.Length == 0)
            return results;
        var input = new AnalysisInput(text, wholeText);
        foreach (var recognizer in _recognizers)
            recognizer.Analyze(input, _scorer, results);
        return RemoveContainedDuplicates(results);
    }

    private static List<PiiMatch> RemoveContainedDuplicates(List<PiiMatch> results)
    {
        if (results.Count < 2)
            return results;
        results.Sort(static (a, b) =>
        {
            int c = string.CompareOrdinal(a.EntityType, b.EntityType);
            if (c == 0) c = a.Start.CompareTo(b.Start);
            if (c == 0) c = b.End.CompareTo(a.End);
            if (c == 0) c = b.Score.CompareTo(a.Score);
            return c;
        });

        // Within a type, sorted by start then longest first: an item is dropped when an earlier kept item still open
        // at its start contains it with at least its score. The open list stays tiny in practice.
        var kept = new List<PiiMatch>(results.Count);
        var open = new List<PiiMatch>();
        string? type = null;
        foreach (var item in results)
        {
            if (!string.Equals(item.EntityType, type, StringComparison.Ordinal))
            {
                open.Clear();
                type = item.EntityType;
            }

            bool contained = false;
            for (int i = open.Count - 1; i >= 0; i--)
            {
                if (open[i].End <= item.Start)
                    open.RemoveAt(i);
                else
                    contained |= open[i].End >= item.End && open[i].Score >= item.Score;
            }

            if (contained)
                continue;
            kept.Add(item);
            open.Add(item);
        }

        kept.Sort(static (a, b) =>
        {
            int c = a.Start.CompareTo(b.Start);
            if (c == 0) c = a.End.CompareTo(b.End);
            if (c == 0) c = string.CompareOrdinal(a.EntityType, b.EntityType);
            return c;
        });
        return kept;
    }

    private static void Validate(PiiAnalyzerOptions options)
    {
        static void InUnitRange(double value, string name)
        {
            if (double.IsNaN(value) || value is < 0 or > 1)
                throw new ArgumentException($"{name} must be between 0 and 1, not {value}.", nameof(options));
        }

        InUnitRange(options.MinScore, nameof(options.MinScore));
        InUnitRange(options.ContextBoost, nameof(options.ContextBoost));
        InUnitRange(options.MinScoreWithContext, nameof(options.MinScoreWithContext));
        if (options.ContextWindowWords is < 0 or > 32)
            throw new ArgumentException($"ContextWindowWords must be between 0 and 32, not {options.ContextWindowWords}.", nameof(options));
        if (options.MaxBirthYear is < 1900 or > 9999)
            throw new ArgumentException($"MaxBirthYear must be between 1900 and 9999, not {options.MaxBirthYear}.", nameof(options));
        var duplicates = options.CustomRecognizers.GroupBy(c => c.Name ?? "custom:" + c.EntityType).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
            throw new ArgumentException($"Custom recognizer names must be unique: {string.Join(", ", duplicates)}.", nameof(options));
    }
}
