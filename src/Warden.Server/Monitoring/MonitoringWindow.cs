using System.Text.Json;
using Warden.Statistics.Performance;

namespace Warden.Server.Monitoring;

/// <summary>Everything monitored about one version in one time window, mergeable across windows and replicas: feature and
/// output profiles, schema violations of posted events, and — as feedback arrives, days later perhaps — performance,
/// per-group confusion counts for fairness and per-segment errors for root cause. Bounded: segments and violation kinds
/// are capped, sketches are bounded. Thread-safe.</summary>
public sealed class MonitoringWindow
{
    /// <summary>Most distinct segments kept per window (beyond, values fold into "(other)").</summary>
    public const int MaxSegments = 512;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Violation> _violations;
    private readonly Dictionary<string, Dictionary<string, GroupCounts>> _groups;
    private readonly Dictionary<string, SegmentError> _segments;
    private ClassificationWindow? _classification;
    private RegressionWindow? _regression;

    /// <summary>Creates an empty window.</summary>
    public MonitoringWindow(long start, FeatureProfiles profiles)
        : this(start, profiles, new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal), null, null, 0)
    {
    }

    private MonitoringWindow(long start, FeatureProfiles profiles, Dictionary<string, Violation> violations, Dictionary<string, Dictionary<string, GroupCounts>> groups,
        Dictionary<string, SegmentError> segments, ClassificationWindow? classification, RegressionWindow? regression, long labelled)
    {
        Start = start;
        Profiles = profiles;
        _violations = violations;
        _groups = groups;
        _segments = segments;
        _classification = classification;
        _regression = regression;
        Labelled = labelled;
    }

    /// <summary>Window start (Unix ms).</summary>
    public long Start { get; }

    /// <summary>Feature and output profiles.</summary>
    public FeatureProfiles Profiles { get; }

    /// <summary>Most segments profiled apart per window; further values share the "(other)" segment.</summary>
    public const int MaxProfiledSegments = 16;

    private readonly Dictionary<string, FeatureProfiles> _segmentProfiles = new(StringComparer.Ordinal);

    /// <summary>Adds rows of one segment (a value of the model's segment feature) to that segment's own profiles.</summary>
    public void ObserveSegment(string segment, IReadOnlyList<string[]> rows, IReadOnlyList<double>? outputs)
    {
        FeatureProfiles profiles;
        lock (_gate)
        {
            if (!_segmentProfiles.TryGetValue(segment, out profiles!))
            {
                if (_segmentProfiles.Count >= MaxProfiledSegments)
                {
                    segment = "(other)";
                }

                if (!_segmentProfiles.TryGetValue(segment, out profiles!))
                {
                    _segmentProfiles[segment] = profiles = FeatureProfiles.Create(Profiles.Features);
                }
            }

            Dirty = true;
        }

        profiles.Observe(rows, outputs);
    }

    /// <summary>The segments profiled apart, with a snapshot of each one's profiles.</summary>
    public IReadOnlyDictionary<string, FeatureProfiles> SegmentProfiles()
    {
        lock (_gate)
        {
            return _segmentProfiles.ToDictionary(kv => kv.Key, kv => kv.Value.Snapshot(), StringComparer.Ordinal);
        }
    }

    /// <summary>Predictions that received a label.</summary>
    public long Labelled { get; private set; }

    /// <summary>Sum of the rows' PCA reconstruction errors (multivariate drift) and how many rows.</summary>
    public (double Sum, long Count) Reconstruction
    {
        get
        {
            lock (_gate)
            {
                return (_reconstructionSum, _reconstructionCount);
            }
        }
    }

    private double _reconstructionSum;
    private long _reconstructionCount;

    /// <summary>Adds rows' summed reconstruction error.</summary>
    public void AddReconstruction(double sum, long count)
    {
        lock (_gate)
        {
            _reconstructionSum += sum;
            _reconstructionCount += count;
            Dirty = true;
        }
    }

    /// <summary>Changed since the last checkpoint.</summary>
    public bool Dirty { get; set; }

    /// <summary>Counts of a group: rows, predicted positive, and the confusion cells of the labelled ones.</summary>
    public sealed record GroupCounts(long Rows, long Selected, long TruePositive, long FalsePositive, long TrueNegative, long FalseNegative);

    /// <summary>Labelled rows of a segment and the sum of their errors (classification: 1 − accuracy; regression: absolute error).</summary>
    public sealed record SegmentError(long Labelled, double ErrorSum);

    /// <summary>A schema violation kind of a field: how often, and up to three raw examples (masked when reported).</summary>
    public sealed record Violation(string Field, string Kind, long Count, IReadOnlyList<string> Examples);

    /// <summary>Counts a violation.</summary>
    public void AddViolation(string field, string kind, string example)
    {
        lock (_gate)
        {
            var key = field + "\n" + kind;
            if (_violations.TryGetValue(key, out var v))
            {
                _violations[key] = v with { Count = v.Count + 1, Examples = v.Examples.Count < 3 && !v.Examples.Contains(example) ? [.. v.Examples, example] : v.Examples };
            }
            else if (_violations.Count < 256)
            {
                _violations[key] = new Violation(field, kind, 1, [example]);
            }

            Dirty = true;
        }
    }

    /// <summary>The violations counted so far.</summary>
    public IReadOnlyList<Violation> Violations
    {
        get
        {
            lock (_gate)
            {
                return _violations.Values.ToList();
            }
        }
    }

    /// <summary>Counts a prediction in its groups (selection rate needs no label).</summary>
    public void AddPrediction(IReadOnlyDictionary<string, string> groups, bool? selected)
    {
        if (groups.Count == 0 || selected is null)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var (attribute, group) in groups)
            {
                if (!attribute.StartsWith("attr:", StringComparison.Ordinal))
                {
                    continue;
                }

                var byGroup = Groups(attribute[5..]);
                var g = byGroup.GetValueOrDefault(group) ?? new GroupCounts(0, 0, 0, 0, 0, 0);
                byGroup[group] = g with { Rows = g.Rows + 1, Selected = g.Selected + (selected.Value ? 1 : 0) };
            }

            Dirty = true;
        }
    }

    /// <summary>Counts a labelled outcome: performance, fairness confusion cells, segment errors.</summary>
    public void AddOutcome(bool classifier, double label, double score, IReadOnlyDictionary<string, string> groups)
    {
        lock (_gate)
        {
            Labelled++;
            double error;
            if (classifier)
            {
                var positive = label >= 0.5;
                var predicted = score >= (_classification?.Options.Threshold ?? ClassificationWindowOptions.DefaultThreshold);
                (_classification ??= new ClassificationWindow()).Add(positive, score);
                error = positive == predicted ? 0 : 1;
                foreach (var (attribute, group) in groups)
                {
                    if (attribute.StartsWith("attr:", StringComparison.Ordinal))
                    {
                        var byGroup = Groups(attribute[5..]);
                        var g = byGroup.GetValueOrDefault(group) ?? new GroupCounts(0, 0, 0, 0, 0, 0);
                        byGroup[group] = g with
                        {
                            TruePositive = g.TruePositive + (positive && predicted ? 1 : 0),
                            FalsePositive = g.FalsePositive + (!positive && predicted ? 1 : 0),
                            TrueNegative = g.TrueNegative + (!positive && !predicted ? 1 : 0),
                            FalseNegative = g.FalseNegative + (positive && !predicted ? 1 : 0),
                        };
                    }
                }
            }
            else
            {
                (_regression ??= new RegressionWindow()).Add(label, score);
                error = Math.Abs(label - score);
            }

            foreach (var (attribute, group) in groups)
            {
                if (attribute.StartsWith("seg:", StringComparison.Ordinal))
                {
                    var key = attribute[4..] + "=" + group;
                    if (!_segments.ContainsKey(key) && _segments.Count >= MaxSegments)
                    {
                        key = attribute[4..] + "=(other)";
                    }

                    var s = _segments.GetValueOrDefault(key) ?? new SegmentError(0, 0);
                    _segments[key] = new SegmentError(s.Labelled + 1, s.ErrorSum + error);
                }
            }

            Dirty = true;
        }
    }

    private Dictionary<string, GroupCounts> Groups(string attribute)
    {
        if (!_groups.TryGetValue(attribute, out var byGroup))
        {
            _groups[attribute] = byGroup = new Dictionary<string, GroupCounts>(StringComparer.Ordinal);
        }

        return byGroup;
    }

    /// <summary>A consistent copy of the outcome parts.</summary>
    public (ClassificationWindow? Classification, RegressionWindow? Regression, long Labelled, IReadOnlyDictionary<string, Dictionary<string, GroupCounts>> Groups,
        IReadOnlyDictionary<string, SegmentError> Segments) Outcomes()
    {
        lock (_gate)
        {
            return (_classification?.Clone(), _regression?.Clone(), Labelled,
                _groups.ToDictionary(kv => kv.Key, kv => new Dictionary<string, GroupCounts>(kv.Value, StringComparer.Ordinal), StringComparer.Ordinal),
                new Dictionary<string, SegmentError>(_segments, StringComparer.Ordinal));
        }
    }

    /// <summary>Merges another window of the same version into this one (reports over longer spans, replicas).</summary>
    public void Merge(MonitoringWindow other)
    {
        var profiles = other.Profiles.Snapshot();
        var (classification, regression, labelled, groups, segments) = other.Outcomes();
        var violations = other.Violations;
        var (reconstructionSum, reconstructionCount) = other.Reconstruction;
        var segmentProfiles = other.SegmentProfiles();
        Profiles.Merge(profiles);
        lock (_gate)
        {
            foreach (var (segment, p) in segmentProfiles)
            {
                if (_segmentProfiles.TryGetValue(segment, out var mine))
                {
                    mine.Merge(p);
                }
                else
                {
                    _segmentProfiles[segment] = p;
                }
            }

            _reconstructionSum += reconstructionSum;
            _reconstructionCount += reconstructionCount;
            Labelled += labelled;
            if (classification is not null)
            {
                (_classification ??= new ClassificationWindow(classification.Options)).Merge(classification);
            }

            if (regression is not null)
            {
                (_regression ??= new RegressionWindow()).Merge(regression);
            }

            foreach (var (attribute, byGroup) in groups)
            {
                var mine = Groups(attribute);
                foreach (var (group, g) in byGroup)
                {
                    var m = mine.GetValueOrDefault(group) ?? new GroupCounts(0, 0, 0, 0, 0, 0);
                    mine[group] = new GroupCounts(m.Rows + g.Rows, m.Selected + g.Selected, m.TruePositive + g.TruePositive, m.FalsePositive + g.FalsePositive,
                        m.TrueNegative + g.TrueNegative, m.FalseNegative + g.FalseNegative);
                }
            }

            foreach (var (key, s) in segments)
            {
                var m = _segments.GetValueOrDefault(key) ?? new SegmentError(0, 0);
                _segments[key] = new SegmentError(m.Labelled + s.Labelled, m.ErrorSum + s.ErrorSum);
            }

            foreach (var v in violations)
            {
                var key = v.Field + "\n" + v.Kind;
                var m = _violations.GetValueOrDefault(key);
                _violations[key] = m is null ? v : m with { Count = m.Count + v.Count, Examples = m.Examples.Concat(v.Examples).Distinct().Take(3).ToList() };
            }
        }
    }

    /// <summary>Serialises the traffic part of the window for checkpoints: profiles, violations and group selection counts.
    /// Outcomes are left out on purpose — they are rebuilt from the event log at start, which would count them twice.</summary>
    public string ToCheckpointJson()
    {
        var (_, _, _, groups, _) = Outcomes();
        return JsonSerializer.Serialize(new Stored(Start, Profiles.Snapshot().ToJson(), Violations.ToList(),
            groups.ToDictionary(kv => kv.Key, kv => kv.Value.ToDictionary(g => g.Key, g => new GroupCounts(g.Value.Rows, g.Value.Selected, 0, 0, 0, 0))),
            [], null, null, 0, Reconstruction.Sum, Reconstruction.Count, SegmentProfiles().ToDictionary(kv => kv.Key, kv => kv.Value.ToJson())));
    }

    /// <summary>Reads a window written by <see cref="ToCheckpointJson"/>.</summary>
    public static MonitoringWindow FromJson(string json)
    {
        var s = JsonSerializer.Deserialize<Stored>(json)!;
        var window = new MonitoringWindow(s.Start, FeatureProfiles.FromJson(s.Profiles),
            s.Violations.ToDictionary(v => v.Field + "\n" + v.Kind, StringComparer.Ordinal),
            s.Groups.ToDictionary(kv => kv.Key, kv => new Dictionary<string, GroupCounts>(kv.Value, StringComparer.Ordinal), StringComparer.Ordinal),
            new Dictionary<string, SegmentError>(s.Segments, StringComparer.Ordinal),
            s.Classification is null ? null : ClassificationWindow.FromJson(s.Classification),
            s.Regression is null ? null : RegressionWindow.FromJson(s.Regression), s.Labelled)
        {
            _reconstructionSum = s.ReconstructionSum,
            _reconstructionCount = s.ReconstructionCount,
        };
        foreach (var (segment, profileJson) in s.SegmentProfiles ?? [])
        {
            window._segmentProfiles[segment] = FeatureProfiles.FromJson(profileJson);
        }

        return window;
    }

    private sealed record Stored(long Start, string Profiles, List<Violation> Violations, Dictionary<string, Dictionary<string, GroupCounts>> Groups,
        Dictionary<string, SegmentError> Segments, string? Classification, string? Regression, long Labelled, double ReconstructionSum = 0, long ReconstructionCount = 0,
        Dictionary<string, string>? SegmentProfiles = null);
}
