namespace Warden.Statistics.RootCause;

/// <summary>One segment's rows and summed errors in the baseline and the current window.</summary>
/// <param name="Feature">The feature that defines the segment (e.g. "device", "age").</param>
/// <param name="Segment">The segment: a category, or a bucket of a numeric feature (see
/// <see cref="Fairness.NumericBuckets"/>, e.g. its FromQuantiles over the baseline's values).</param>
/// <param name="BaselineCount">Baseline rows in the segment.</param>
/// <param name="BaselineErrorSum">The sum of the per-row errors of those rows (0/1 misclassifications, absolute
/// errors, log losses, …).</param>
/// <param name="CurrentCount">Current rows in the segment.</param>
/// <param name="CurrentErrorSum">The sum of their per-row errors.</param>
public sealed record SegmentErrors(
    string Feature,
    string Segment,
    long BaselineCount,
    double BaselineErrorSum,
    long CurrentCount,
    double CurrentErrorSum);

/// <summary>A segment's contribution to the change in error between the baseline and the current window.</summary>
/// <param name="Feature">The feature that defines the segment.</param>
/// <param name="Segment">The segment.</param>
/// <param name="BaselineShare">The segment's share of the baseline's rows.</param>
/// <param name="BaselineError">Its mean error in the baseline; null without baseline rows.</param>
/// <param name="CurrentShare">Its share of the current rows.</param>
/// <param name="CurrentError">Its mean error now; null without current rows.</param>
/// <param name="Contribution">CurrentShare × CurrentError − BaselineShare × BaselineError (an absent side counts 0).
/// The contributions of one feature's segments add up to the change in overall error.</param>
/// <param name="RateEffect">The part due to the segment's error changing: (share before + share now) / 2 × (error now −
/// error before).</param>
/// <param name="MixEffect">The part due to the segment's share changing: (error before + error now) / 2 × (share now −
/// share before). RateEffect + MixEffect = Contribution; where one side has no rows its error is taken from the other
/// side, so a new or vanished segment is all mix.</param>
public sealed record SegmentContribution(
    string Feature,
    string Segment,
    double BaselineShare,
    double? BaselineError,
    double CurrentShare,
    double? CurrentError,
    double Contribution,
    double RateEffect,
    double MixEffect);

/// <summary>The overall error of a feature's segmentation (the same rows, so the same for every complete segmentation).</summary>
/// <param name="Feature">The feature.</param>
/// <param name="BaselineError">Σ baseline error / baseline rows.</param>
/// <param name="CurrentError">Σ current error / current rows.</param>
/// <param name="Change">CurrentError − BaselineError, the sum of the feature's segment contributions.</param>
public sealed record FeatureErrorChange(string Feature, double BaselineError, double CurrentError, double Change);

/// <summary>Segments ranked by their contribution to a performance drop, with each feature's overall change.</summary>
/// <param name="Segments">All segments, largest contribution (to an increase in error) first.</param>
/// <param name="Features">Each feature's overall error before and now, in ordinal order of the names.</param>
public sealed record SegmentRanking(IReadOnlyList<SegmentContribution> Segments, IReadOnlyList<FeatureErrorChange> Features);

/// <summary>
/// Finds where a performance drop comes from: for each segment (a category, or a quantile bucket of a numeric
/// feature) its contribution to the change in mean error, current share × current error − baseline share × baseline
/// error, which is the segment's error sum over the window's rows, now minus before. Over one feature's segments the
/// contributions add up exactly to the change in overall error, so they can be read as "this much of the drop is
/// here"; each is further split into a rate effect (the segment got worse) and a mix effect (there is more of it).
/// </summary>
public static class SegmentAttribution
{
    /// <summary>Ranks segments by contribution, largest first (ties: feature, then segment, by name).</summary>
    /// <param name="segments">Per segment, the rows and error sums of both windows. Shares are taken within each
    /// feature, so each feature's segments should cover its rows (a "missing" segment for rows without a value).</param>
    /// <returns>The ranked segments and each feature's overall change.</returns>
    public static SegmentRanking Rank(IEnumerable<SegmentErrors> segments)
    {
        var all = segments.ToList();
        var seen = new HashSet<(string, string)>();
        foreach (var s in all)
        {
            if (s.BaselineCount < 0 || s.CurrentCount < 0 || !double.IsFinite(s.BaselineErrorSum) || !double.IsFinite(s.CurrentErrorSum)
                || (s.BaselineCount == 0 && s.BaselineErrorSum != 0) || (s.CurrentCount == 0 && s.CurrentErrorSum != 0))
            {
                throw new ArgumentException($"Segment '{s.Segment}' of '{s.Feature}': counts must be non-negative and error sums finite (0 without rows).", nameof(segments));
            }

            if (!seen.Add((s.Feature, s.Segment)))
            {
                throw new ArgumentException($"Segment '{s.Segment}' of '{s.Feature}' is given twice.", nameof(segments));
            }
        }

        var contributions = new List<SegmentContribution>();
        var features = new List<FeatureErrorChange>();
        foreach (var feature in all.GroupBy(s => s.Feature, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            double baselineRows = feature.Sum(s => s.BaselineCount);
            double currentRows = feature.Sum(s => s.CurrentCount);
            if (baselineRows == 0 || currentRows == 0)
            {
                throw new ArgumentException($"Feature '{feature.Key}' needs rows in both the baseline and the current window.", nameof(segments));
            }

            var baselineError = feature.Sum(s => s.BaselineErrorSum) / baselineRows;
            var currentError = feature.Sum(s => s.CurrentErrorSum) / currentRows;
            features.Add(new FeatureErrorChange(feature.Key, baselineError, currentError, currentError - baselineError));
            foreach (var s in feature.Where(s => s.BaselineCount + s.CurrentCount > 0))
            {
                var shareBefore = s.BaselineCount / baselineRows;
                var shareNow = s.CurrentCount / currentRows;
                double? errorBefore = s.BaselineCount > 0 ? s.BaselineErrorSum / s.BaselineCount : null;
                double? errorNow = s.CurrentCount > 0 ? s.CurrentErrorSum / s.CurrentCount : null;
                var before = errorBefore ?? errorNow!.Value;
                var now = errorNow ?? errorBefore!.Value;
                var contribution = (s.CurrentErrorSum / currentRows) - (s.BaselineErrorSum / baselineRows);
                var rate = (shareBefore + shareNow) / 2 * (now - before);
                var mix = (before + now) / 2 * (shareNow - shareBefore);
                contributions.Add(new SegmentContribution(s.Feature, s.Segment, shareBefore, errorBefore, shareNow, errorNow,
                    contribution, rate, mix));
            }
        }

        var ranked = contributions
            .OrderByDescending(c => c.Contribution)
            .ThenBy(c => c.Feature, StringComparer.Ordinal)
            .ThenBy(c => c.Segment, StringComparer.Ordinal)
            .ToList();
        return new SegmentRanking(ranked, features);
    }
}
