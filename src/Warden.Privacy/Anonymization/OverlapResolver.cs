namespace Warden.Privacy;

/// <summary>
/// Chooses one detection per stretch of text, deterministically. Candidates are ranked by
/// <list type="number">
/// <item>higher score,</item>
/// <item>then the longer span,</item>
/// <item>then the earlier start,</item>
/// <item>then the entity type in ordinal order,</item>
/// <item>then the recognizer name in ordinal order;</item>
/// </list>
/// and accepted in that order unless they overlap (share at least one UTF-16 code unit with) one already accepted.
/// The result does not depend on the order of the input.
/// </summary>
public static class OverlapResolver
{
    /// <summary>The order in which candidates are considered (the first wins an overlap).</summary>
    public static IComparer<PiiMatch> Precedence { get; } = Comparer<PiiMatch>.Create(static (a, b) =>
    {
        int c = b.Score.CompareTo(a.Score);
        if (c == 0) c = b.Length.CompareTo(a.Length);
        if (c == 0) c = a.Start.CompareTo(b.Start);
        if (c == 0) c = string.CompareOrdinal(a.EntityType, b.EntityType);
        if (c == 0) c = string.CompareOrdinal(a.Recognizer, b.Recognizer);
        if (c == 0) c = string.CompareOrdinal(a.Explanation, b.Explanation); // only to make the order total
        return c;
    });

    /// <summary>Returns non-overlapping detections, ordered by start.</summary>
    public static IReadOnlyList<PiiMatch> Resolve(IEnumerable<PiiMatch> matches)
    {
        ArgumentNullException.ThrowIfNull(matches);
        var byStart = matches.ToList();
        if (byStart.Count < 2)
            return byStart;
        byStart.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : Precedence.Compare(a, b));

        // Whether a candidate is accepted depends only on higher-ranked candidates that overlap it, and those lie in
        // the same group of transitively overlapping spans. So each group is settled on its own: a lone span is
        // accepted at once, a group is ranked and filled greedily. Same answer as ranking everything, in O(n log n).
        var accepted = new List<PiiMatch>(byStart.Count);
        var group = new List<PiiMatch>();
        int groupEnd = -1;
        foreach (var match in byStart)
        {
            if (match.Start >= groupEnd && group.Count > 0)
            {
                Settle(group, accepted);
                group.Clear();
            }

            group.Add(match);
            groupEnd = Math.Max(groupEnd, match.End);
        }

        Settle(group, accepted);
        return accepted;
    }

    private static void Settle(List<PiiMatch> group, List<PiiMatch> accepted)
    {
        if (group.Count == 1)
        {
            accepted.Add(group[0]);
            return;
        }

        int first = accepted.Count;
        group.Sort(Precedence);
        foreach (var candidate in group)
        {
            bool overlaps = false;
            for (int i = first; i < accepted.Count && !overlaps; i++)
                overlaps = accepted[i].Start < candidate.End && candidate.Start < accepted[i].End;
            if (!overlaps)
                accepted.Add(candidate);
        }

        accepted.Sort(first, accepted.Count - first, Comparer<PiiMatch>.Create(static (a, b) => a.Start.CompareTo(b.Start)));
    }
}
