namespace Warden.Statistics.Fairness;

/// <summary>Settings of a fairness report.</summary>
public sealed record FairnessOptions
{
    /// <summary>The default minimum group size.</summary>
    public const int DefaultMinimumGroupSize = 30;

    /// <summary>The four-fifths rule: a disparate impact below 0.8 is adverse impact (US EEOC guidelines).</summary>
    public const double FourFifths = 0.8;

    /// <summary>Groups with fewer rows are reported but left out of the summary metrics; their rates are too noisy to
    /// judge (for TPR and FPR the group's labelled positives or negatives must also be present).</summary>
    public int MinimumGroupSize { get; init; } = DefaultMinimumGroupSize;

    /// <summary>The privileged group for the disparate impact, or null to compare the lowest selection rate with the
    /// highest.</summary>
    public string? PrivilegedGroup { get; init; }
}

/// <summary>One group's rates.</summary>
/// <param name="Group">The group.</param>
/// <param name="Count">Rows, labelled or not.</param>
/// <param name="Labeled">Rows with a label.</param>
/// <param name="SelectionRate">Rows predicted 1 / rows (predictions of unlabelled rows count too).</param>
/// <param name="TruePositiveRate">TP / (TP + FN); null without labelled positives.</param>
/// <param name="FalsePositiveRate">FP / (FP + TN); null without labelled negatives.</param>
/// <param name="ImpactRatio">SelectionRate / the reference selection rate (the privileged group's, or the highest of
/// the judged groups); null when the reference rate is 0 or there is no judged group.</param>
/// <param name="Included">Whether the group is large enough (≥ <see cref="FairnessOptions.MinimumGroupSize"/> rows)
/// to take part in the summary metrics.</param>
public sealed record GroupFairness(
    string Group,
    long Count,
    long Labeled,
    double SelectionRate,
    double? TruePositiveRate,
    double? FalsePositiveRate,
    double? ImpactRatio,
    bool Included);

/// <summary>
/// Group fairness of a binary classifier: per-group rates and, across the groups large enough to judge, the
/// disparities. Differences and ratios need at least two judged groups with the rate defined; otherwise they are null.
/// </summary>
/// <param name="Groups">Every group, in ordinal order of the names, including those too small to judge.</param>
/// <param name="MinimumGroupSize">The size below which a group is not judged.</param>
/// <param name="DemographicParityDifference">max − min selection rate (Fairlearn's demographic_parity_difference).</param>
/// <param name="DemographicParityRatio">min / max selection rate (Fairlearn's demographic_parity_ratio); null when the
/// highest rate is 0.</param>
/// <param name="EqualOpportunityDifference">max − min true positive rate.</param>
/// <param name="FalsePositiveRateDifference">max − min false positive rate.</param>
/// <param name="EqualizedOddsDifference">The larger of the TPR and FPR differences (Fairlearn's
/// equalized_odds_difference); null unless both are defined.</param>
/// <param name="DisparateImpact">AIF360's disparate impact, selection rate of the unprivileged group / that of the
/// privileged group. With several unprivileged groups, the lowest ratio (the worst-treated group) rather than AIF360's
/// pooled unprivileged rate; without a privileged group, min / max selection rate. Null when the reference rate is 0,
/// the privileged group is too small to judge, or there is nothing to compare.</param>
/// <param name="DisparateImpactGroup">The group whose ratio is <paramref name="DisparateImpact"/>.</param>
/// <param name="ReferenceGroup">The group in the denominator: the privileged group, or the highest-rate group.</param>
/// <param name="FailsFourFifthsRule">DisparateImpact &lt; 0.8; null when DisparateImpact is null.</param>
public sealed record FairnessReport(
    IReadOnlyList<GroupFairness> Groups,
    int MinimumGroupSize,
    double? DemographicParityDifference,
    double? DemographicParityRatio,
    double? EqualOpportunityDifference,
    double? FalsePositiveRateDifference,
    double? EqualizedOddsDifference,
    double? DisparateImpact,
    string? DisparateImpactGroup,
    string? ReferenceGroup,
    bool? FailsFourFifthsRule)
{
    internal static FairnessReport From(IReadOnlyDictionary<string, GroupCounts> counts, FairnessOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.MinimumGroupSize, nameof(options.MinimumGroupSize));
        if (options.PrivilegedGroup is { } privileged && !counts.ContainsKey(privileged))
        {
            throw new ArgumentException($"The privileged group '{privileged}' has no rows; the groups are: {string.Join(", ", counts.Keys.Order(StringComparer.Ordinal))}.",
                nameof(options));
        }

        var rates = counts
            .Where(g => g.Value.Count > 0)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Group: g.Key, Counts: g.Value,
                Selection: (double)g.Value.PredictedPositive / g.Value.Count,
                Tpr: Ratio(g.Value.TruePositives, g.Value.TruePositives + g.Value.FalseNegatives),
                Fpr: Ratio(g.Value.FalsePositives, g.Value.FalsePositives + g.Value.TrueNegatives),
                Included: g.Value.Count >= options.MinimumGroupSize))
            .ToList();
        var judged = rates.Where(g => g.Included).ToList();

        var selection = judged.Select(g => ((double?)g.Selection, g.Group)).ToList();
        var (dpDifference, minSelection, maxSelection) = Spread(selection);
        double? dpRatio = dpDifference is not null && maxSelection is { } max && max.Rate > 0 && minSelection is { } min
            ? min.Rate / max.Rate
            : null;
        var (tprDifference, _, _) = Spread([.. judged.Select(g => (g.Tpr, g.Group))]);
        var (fprDifference, _, _) = Spread([.. judged.Select(g => (g.Fpr, g.Group))]);
        double? equalizedOdds = tprDifference is { } t && fprDifference is { } f ? Math.Max(t, f) : null;

        // The disparate impact: each unprivileged group against the privileged one, or the lowest against the highest.
        string? referenceGroup;
        double? referenceRate;
        double? impact = null;
        string? impactGroup = null;
        if (options.PrivilegedGroup is { } privilegedGroup)
        {
            var index = rates.FindIndex(g => g.Group == privilegedGroup);
            referenceGroup = privilegedGroup;
            referenceRate = index >= 0 && rates[index].Included ? rates[index].Selection : null;
            if (referenceRate > 0)
            {
                foreach (var g in judged.Where(g => g.Group != privilegedGroup))
                {
                    var ratio = g.Selection / referenceRate.Value;
                    if (impact is null || ratio < impact)
                    {
                        (impact, impactGroup) = (ratio, g.Group);
                    }
                }
            }
        }
        else
        {
            referenceGroup = maxSelection?.Group;
            referenceRate = maxSelection?.Rate;
            if (dpRatio is { } ratio)
            {
                (impact, impactGroup) = (ratio, minSelection!.Value.Group);
            }
        }

        var groups = rates.Select(g => new GroupFairness(
            g.Group, g.Counts.Count, g.Counts.Labeled, g.Selection, g.Tpr, g.Fpr,
            referenceRate > 0 ? g.Selection / referenceRate.Value : null, g.Included)).ToList();
        return new FairnessReport(groups, options.MinimumGroupSize, dpDifference, dpRatio, tprDifference, fprDifference,
            equalizedOdds, impact, impactGroup, referenceGroup, impact is { } di ? di < FairnessOptions.FourFifths : null);
    }

    private static double? Ratio(long numerator, long denominator) => denominator == 0 ? null : (double)numerator / denominator;

    /// <summary>max − min of the defined rates, with the lowest and highest (first in name order on ties); null
    /// difference with fewer than two defined rates.</summary>
    private static (double? Difference, (double Rate, string Group)? Min, (double Rate, string Group)? Max) Spread(
        List<(double? Rate, string Group)> rates)
    {
        (double Rate, string Group)? min = null, max = null;
        var defined = 0;
        foreach (var (rate, group) in rates)
        {
            if (rate is not { } r)
            {
                continue;
            }

            defined++;
            if (min is null || r < min.Value.Rate)
            {
                min = (r, group);
            }

            if (max is null || r > max.Value.Rate)
            {
                max = (r, group);
            }
        }

        return defined < 2 ? (null, min, max) : (max!.Value.Rate - min!.Value.Rate, min, max);
    }
}
