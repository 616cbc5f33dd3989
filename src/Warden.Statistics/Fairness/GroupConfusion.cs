using System.Text.Json;
using System.Text.Json.Serialization;

namespace Warden.Statistics.Fairness;

/// <summary>One group's counts: the confusion matrix of the labelled rows and the predictions of the unlabelled ones.</summary>
/// <param name="TruePositives">Label 1, predicted 1.</param>
/// <param name="FalsePositives">Label 0, predicted 1.</param>
/// <param name="TrueNegatives">Label 0, predicted 0.</param>
/// <param name="FalseNegatives">Label 1, predicted 0.</param>
/// <param name="UnlabeledPredictedPositive">No label (yet), predicted 1.</param>
/// <param name="UnlabeledPredictedNegative">No label (yet), predicted 0.</param>
public sealed record GroupCounts(
    long TruePositives,
    long FalsePositives,
    long TrueNegatives,
    long FalseNegatives,
    long UnlabeledPredictedPositive,
    long UnlabeledPredictedNegative)
{
    /// <summary>All rows of the group, labelled or not.</summary>
    public long Count => Labeled + UnlabeledPredictedPositive + UnlabeledPredictedNegative;

    /// <summary>Rows with a label.</summary>
    public long Labeled => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    /// <summary>Rows predicted 1, labelled or not.</summary>
    public long PredictedPositive => TruePositives + FalsePositives + UnlabeledPredictedPositive;

    internal GroupCounts Plus(GroupCounts other) => new(
        TruePositives + other.TruePositives,
        FalsePositives + other.FalsePositives,
        TrueNegatives + other.TrueNegatives,
        FalseNegatives + other.FalseNegatives,
        UnlabeledPredictedPositive + other.UnlabeledPredictedPositive,
        UnlabeledPredictedNegative + other.UnlabeledPredictedNegative);

    internal long[] ToArray() =>
        [TruePositives, FalsePositives, TrueNegatives, FalseNegatives, UnlabeledPredictedPositive, UnlabeledPredictedNegative];
}

/// <summary>
/// A mergeable accumulator of (group, label, prediction) rows for fairness metrics: per group, the confusion counts of
/// the labelled rows and the prediction counts of the rows whose label is not known (yet), so that selection rates
/// work from predictions alone. Merging adds counts and is exact. Memory is six counts per group: bucket numeric
/// attributes first (<see cref="NumericBuckets"/>).
/// </summary>
public sealed class GroupConfusion
{
    private static readonly GroupCounts Zero = new(0, 0, 0, 0, 0, 0);
    private readonly Dictionary<string, GroupCounts> _groups = new(StringComparer.Ordinal);

    /// <summary>The counts of each group seen.</summary>
    public IReadOnlyDictionary<string, GroupCounts> Groups => _groups;

    /// <summary>Adds one row.</summary>
    /// <param name="group">The row's group (e.g. a value of the sensitive attribute).</param>
    /// <param name="label">The true class (true for 1), or null when it is not known.</param>
    /// <param name="predicted">The predicted class (true for 1).</param>
    public void Add(string group, bool? label, bool predicted)
    {
        ArgumentNullException.ThrowIfNull(group);
        var counts = _groups.GetValueOrDefault(group, Zero);
        _groups[group] = (label, predicted) switch
        {
            (true, true) => counts with { TruePositives = counts.TruePositives + 1 },
            (false, true) => counts with { FalsePositives = counts.FalsePositives + 1 },
            (false, false) => counts with { TrueNegatives = counts.TrueNegatives + 1 },
            (true, false) => counts with { FalseNegatives = counts.FalseNegatives + 1 },
            (null, true) => counts with { UnlabeledPredictedPositive = counts.UnlabeledPredictedPositive + 1 },
            (null, false) => counts with { UnlabeledPredictedNegative = counts.UnlabeledPredictedNegative + 1 },
        };
    }

    /// <summary>Adds a group's counts at once (e.g. from a database aggregate).</summary>
    /// <param name="group">The group.</param>
    /// <param name="counts">Its counts (non-negative).</param>
    public void Add(string group, GroupCounts counts)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (counts.ToArray().Any(c => c < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(counts), $"Group '{group}' has a negative count.");
        }

        _groups[group] = _groups.GetValueOrDefault(group, Zero).Plus(counts);
    }

    /// <summary>Merges another accumulator into this one (exact: counts add).</summary>
    /// <param name="other">The other accumulator; it is not changed.</param>
    public void Merge(GroupConfusion other)
    {
        foreach (var (group, counts) in other._groups.ToArray())
        {
            _groups[group] = _groups.GetValueOrDefault(group, Zero).Plus(counts);
        }
    }

    /// <summary>The fairness report of the rows seen.</summary>
    /// <param name="options">Minimum group size and privileged group; defaults when null.</param>
    /// <returns>The per-group rates and the summary metrics.</returns>
    public FairnessReport Report(FairnessOptions? options = null) => FairnessReport.From(_groups, options ?? new FairnessOptions());

    /// <summary>The accumulator as compact JSON, for persistence; <see cref="FromJson"/> restores it exactly.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(
        new GroupConfusionState
        {
            Version = 1,
            Groups = _groups.OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Value.ToArray(), StringComparer.Ordinal),
        },
        FairnessJsonContext.Default.GroupConfusionState);

    /// <summary>Restores an accumulator written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The accumulator.</returns>
    /// <exception cref="FormatException">The text is not a valid group confusion accumulator.</exception>
    public static GroupConfusion FromJson(string json)
    {
        var state = Internal.StateJson.Read(json, FairnessJsonContext.Default.GroupConfusionState, "a group confusion accumulator");
        if (state.Version != 1 || state.Groups is null)
        {
            throw new FormatException("The text is not a group confusion accumulator of format version 1.");
        }

        var result = new GroupConfusion();
        foreach (var (group, c) in state.Groups)
        {
            if (c is null || c.Length != 6 || c.Any(x => x < 0))
            {
                throw new FormatException($"Group '{group}' needs six non-negative counts.");
            }

            result._groups[group] = new GroupCounts(c[0], c[1], c[2], c[3], c[4], c[5]);
        }

        return result;
    }
}

internal sealed class GroupConfusionState
{
    [JsonPropertyName("v")] public int Version { get; init; }

    /// <summary>Per group: TP, FP, TN, FN, unlabelled predicted 1, unlabelled predicted 0.</summary>
    [JsonPropertyName("groups")] public Dictionary<string, long[]>? Groups { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GroupConfusionState))]
internal sealed partial class FairnessJsonContext : JsonSerializerContext;
