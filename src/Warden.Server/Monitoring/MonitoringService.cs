using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Warden.Contracts;
using Warden.Inference;
using Warden.Server.Audit;
using Warden.Server.Data;
using Warden.Server.Platform;
using Warden.Server.Registry;
using Warden.Statistics.Drift;

namespace Warden.Server.Monitoring;

/// <summary>Monitoring settings ("Warden:Monitoring").</summary>
public sealed class MonitoringOptions
{
    /// <summary>Length of a profiling window.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Windows kept in memory per version (older ones stay in the checkpoint table but take no more labels: the
    /// label horizon is WindowsKept × Window).</summary>
    public int WindowsKept { get; set; } = 168;

    /// <summary>This replica's name in the checkpoint table (default: the machine name). Replicas sharing a database need
    /// distinct names; a replica restarted under the same name takes its windows back.</summary>
    public string ReplicaId { get; set; } = Environment.MachineName;

    /// <summary>How often changed windows are checkpointed to the database.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a prediction waits for its label in the join index.</summary>
    public TimeSpan LabelHorizon { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Most predictions in the join index (oldest evicted first). Each holds its feature values (about 0.5 KiB
    /// with 20 features), so the default bounds the index near 250 MiB.</summary>
    public int JoinCapacity { get; set; } = 500_000;

    /// <summary>Per model, a categorical feature whose values (up to 16 per window) get profiles of their own, so drift can
    /// be reported per segment ("Warden:Monitoring:SegmentBy:credit-risk" = "Purpose").</summary>
    public Dictionary<string, string> SegmentBy { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Drift settings per model and feature: "Warden:Monitoring:Drift:MODEL:FEATURE:Method" (one of the DriftMethod
    /// names, e.g. PopulationStabilityIndex) and ":Threshold"; the feature "*" applies to every feature of the model without
    /// its own entry (an entry replaces "*" entirely: a threshold belongs to its method), and "prediction" to the model's output. Unset: Evidently's default choice and thresholds.</summary>
    public Dictionary<string, Dictionary<string, DriftSetting>> Drift { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The drift options of one feature of a model (null: defaults).</summary>
    public FeatureDriftOptions? DriftOptionsFor(string model, string feature)
    {
        if (!Drift.TryGetValue(model, out var features) || !(features.TryGetValue(feature, out var setting) || features.TryGetValue("*", out setting)))
        {
            return null;
        }

        return new FeatureDriftOptions
        {
            Method = setting.Method is { } method ? Enum.Parse<DriftMethod>(method) : null,
            Threshold = setting.Threshold,
        };
    }

    /// <summary>Fairness: groups with fewer labelled rows than this are reported but not judged.</summary>
    public int MinimumGroupSize { get; set; } = 30;

    /// <summary>Share of drifted features at which the whole dataset counts as drifted.</summary>
    public double DatasetDriftShare { get; set; } = 0.5;

    /// <summary>Data quality: a feature's missing share may exceed the reference's by this much before it is an issue.</summary>
    public double MissingShareTolerance { get; set; } = 0.05;

    /// <summary>Data quality: the share of values outside the reference's range (numeric) or in unseen categories
    /// (categorical) above which it is an issue.</summary>
    public double OutOfDomainShare { get; set; } = 0.01;
}

/// <summary>A configured drift test and threshold for a feature.</summary>
public sealed class DriftSetting
{
    /// <summary>A DriftMethod name (KolmogorovSmirnov, ChiSquared, ZTest, Wasserstein, WassersteinNormed, JensenShannon,
    /// PopulationStabilityIndex, Hellinger); null: chosen by type and reference size.</summary>
    public string? Method { get; set; }

    /// <summary>The threshold (p-value tests: drift when p &lt; threshold; distances: when statistic ≥ threshold); null: the method's default.</summary>
    public double? Threshold { get; set; }
}

/// <summary>Reference profiles per version, window profiles of live traffic (raw values profiled in memory before the
/// privacy policy masks what is stored), and drift reports comparing the two with Warden.Statistics' sketch-mode tests
/// (Evidently's default choice of test by type and reference size).</summary>
public sealed class MonitoringService(WardenDatabase database, AuditLog audit, TimeProvider time, IOptions<MonitoringOptions> options,
    Warden.Server.Privacy.PrivacyService privacy, IArtifactStore artifacts, LabelJoin join)
{
    private readonly ConcurrentDictionary<(string Model, int Version), ConcurrentDictionary<long, MonitoringWindow>> _windows = new();
    private readonly ConcurrentDictionary<(string Model, int Version), Task<VersionContext>> _contexts = new();

    /// <summary>What grouping a version's predictions needs: task, sensitive attributes, segment edges from the reference.</summary>
    private sealed record VersionContext(bool Classifier, IReadOnlyList<FeatureSpec> Features, IReadOnlyList<SensitiveAttribute> Sensitive,
        IReadOnlyDictionary<string, double[]> SegmentEdges, Warden.Statistics.Multivariate.PcaReconstructionDrift? Pca, int[] NumericIndexes,
        IReadOnlyDictionary<string, IReadOnlyList<double>> BinEdges)
    {
        // Per feature, precomputed once: the group keys, the sensitive attribute's bins and the quartile bins' labels,
        // so grouping a prediction formats nothing.
        public string?[] AttributeKeys { get; } = Features.Select(f => Sensitive.Any(a => a.Name == f.Name) ? "attr:" + f.Name : null).ToArray();

        public IReadOnlyList<double>?[] AttributeBins { get; } = Features.Select(f => Sensitive.FirstOrDefault(a => a.Name == f.Name)?.Bins).ToArray();

        public string[] SegmentKeys { get; } = Features.Select(f => "seg:" + f.Name).ToArray();

        public string[]?[] BinLabels { get; } = Features.Select(f => SegmentEdges.TryGetValue(f.Name, out var e) ? QuantileLabels(e) : null).ToArray();

        public bool HasSensitive => Sensitive.Count > 0;
    }

    private static readonly IReadOnlyDictionary<string, string> NoGroups = new Dictionary<string, string>();

    /// <summary>Most reference rows kept to fit the multivariate drift detector.</summary>
    private const int NumericSampleRows = 5_000;

    /// <summary>Profiles a labelled or unlabelled data set as the version's reference (replacing an earlier one).</summary>
    public async Task<ReferenceProfileInfo> SetReferenceAsync(string model, int version, byte[] csv, AuditScope scope, CancellationToken cancellationToken)
    {
        CsvTable table;
        try
        {
            table = CsvTable.Parse(System.Text.Encoding.UTF8.GetString(csv));
        }
        catch (CsvException e)
        {
            throw new WardenProblemException(StatusCodes.Status400BadRequest, "The reference data could not be read.", e.Message);
        }

        await using var uow = await database.BeginAsync(cancellationToken);
        var row = await RegistryService.FindVersionAsync(uow.Connection, uow.Transaction, model, version, cancellationToken);
        var features = row.ParsedSignature.Features;
        var missing = features.Where(f => !table.Has(f.Name)).Select(f => f.Name).ToList();
        if (features.Count == 0 || missing.Count > 0)
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]>
            {
                ["reference"] = [features.Count == 0 ? "the version has no tabular features to profile" : $"the data lacks the feature(s) {string.Join(", ", missing)}"],
            });
        }

        // The reference's predictions too, so that drift of the model's output can be judged without labels.
        var content = await artifacts.GetAsync(row.ArtifactSha256, cancellationToken)
            ?? throw new InvalidOperationException($"artifact {row.ArtifactSha256} is missing from the artifact store");
        double[] scores;
        try
        {
            using var loaded = ModelRuntime.Load(content, features, row.LabelColumn);
            scores = loaded.Score(table);
        }
        catch (ScoringException e)
        {
            throw new WardenProblemException(StatusCodes.Status400BadRequest, "The reference data cannot be scored by this version.", e.Message);
        }

        var importance = PermutationImportance(content, features, row.LabelColumn, table, scores);

        // Decile edges of each numeric feature: the reference and every later window bin on them, so the binned measures
        // (PSI, Jensen–Shannon, Hellinger, chi-squared) work on profiles.
        var binEdges = new Dictionary<string, IReadOnlyList<double>>(StringComparer.Ordinal);
        foreach (var f in features.Where(f => f.Kind == FeatureKinds.Numeric))
        {
            var column = table.IndexOf(f.Name);
            var values = table.Rows.Select(r => Warden.Inference.InvariantNumber.TryParse(r[column], out var x) ? x : double.NaN)
                .Where(double.IsFinite).ToArray();
            try
            {
                if (values.Length > 0)
                {
                    binEdges[f.Name] = BinEdges.FromQuantiles(values);
                }
            }
            catch (ArgumentException)
            {
                // Too few distinct values to bin: such features are judged on their exact value counts instead.
            }
        }

        var profiles = FeatureProfiles.Create(features, binEdges);
        var positions = features.Select(f => table.IndexOf(f.Name)).ToArray();
        profiles.Observe(table.Rows.Select(r => Array.ConvertAll(positions, i => r[i])).ToList(), scores);
        var now = time.GetUtcNow();
        await uow.ExecuteAsync("DELETE FROM reference_profiles WHERE version_id = @Id", new { row.Id }, cancellationToken);
        var numericPositions = features.Where(f => f.Kind == FeatureKinds.Numeric).Select(f => table.IndexOf(f.Name)).ToArray();
        var sample = numericPositions.Length < 2 ? null : JsonSerializer.Serialize(table.Rows.Take(NumericSampleRows)
            .Select(r => Array.ConvertAll(numericPositions, i => Warden.Inference.InvariantNumber.TryParse(r[i], out var x) ? x : double.NaN)));
        await uow.ExecuteAsync("INSERT INTO reference_profiles (version_id, row_count, profiles, created_at, created_by, importance, numeric_sample) " +
                               "VALUES (@Id, @rows, @profiles, @at, @by, @importance, @sample)",
            new { row.Id, rows = profiles.Rows, profiles = profiles.ToJson(), at = now.ToUnixTimeMilliseconds(), by = scope.Actor.KeyId,
                importance = JsonSerializer.Serialize(importance), sample }, cancellationToken);
        uow.AfterCommit(() => Invalidate(model, version));
        await audit.AppendAsync(uow, scope, "monitoring.reference", $"model:{model}/v{version}",
            new { rows = profiles.Rows, sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(csv)) }, cancellationToken: cancellationToken);
        await uow.CommitAsync(cancellationToken);
        return new ReferenceProfileInfo(model, version, profiles.Rows, features.Select(f => f.Name).ToList(), now);
    }

    /// <summary>Permutation importance on the reference data (Breiman; as scikit-learn's permutation_importance but on the
    /// model's score rather than a metric, so it needs no labels): the mean absolute change of the score when one feature's
    /// column is shuffled (seeded, up to 2,000 rows), normalised to sum to 1.</summary>
    private static Dictionary<string, double> PermutationImportance(byte[] artifact, IReadOnlyList<FeatureSpec> features, string? labelColumn, CsvTable table, double[] scores)
    {
        var n = Math.Min(table.Rows.Count, 2_000);
        var rows = table.Rows.Take(n).ToList();
        var raw = new Dictionary<string, double>(StringComparer.Ordinal);
        using var loaded = ModelRuntime.Load(artifact, features, labelColumn);
        var random = new Random(20_241_127);
        foreach (var f in features)
        {
            var column = table.IndexOf(f.Name);
            var shuffled = rows.Select(r => r[column]).OrderBy(_ => random.Next()).ToArray();
            var permuted = rows.Select((r, i) =>
            {
                var copy = (string[])r.Clone();
                copy[column] = shuffled[i];
                return copy;
            }).ToList();
            var changed = loaded.Score(CsvTable.FromRows(table.Columns, permuted));
            raw[f.Name] = changed.Select((s, i) => Math.Abs(s - scores[i])).Where(double.IsFinite).DefaultIfEmpty(0).Average();
        }

        var total = raw.Values.Sum();
        return raw.ToDictionary(kv => kv.Key, kv => total > 0 ? kv.Value / total : 1.0 / features.Count, StringComparer.Ordinal);
    }

    /// <summary>Adds served rows to the current window of (model, version) and indexes them for their delayed labels: a request
    /// of one record under its request id, of several under "requestId/i".</summary>
    public async ValueTask ObserveAsync(string model, int version, IReadOnlyList<FeatureSpec> features, IReadOnlyList<string[]> rows,
        IReadOnlyList<double>? outputs = null, string? requestId = null, string? entityId = null, CancellationToken cancellationToken = default)
    {
        if (features.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        var context = await ContextAsync(model, version, features, cancellationToken);
        var window = Window(model, version, WindowStart(now), features, context.BinEdges);
        var numeric = ParseNumeric(context, rows); // once, for the profiles, the multivariate error and the label index
        window.Profiles.Observe(rows, numeric, context.NumericIndexes, outputs);
        ObserveSegments(model, features, window, rows, outputs);
        ObserveMultivariate(context, window, numeric);
        if (outputs is null)
        {
            return;
        }

        for (var i = 0; i < rows.Count; i++)
        {
            window.AddPrediction(SensitiveGroups(context, rows[i]), context.Classifier ? outputs[i] >= 0.5 : null);
            if (requestId is not null)
            {
                Index(context, requestId, rows.Count == 1 ? -1 : i, model, version, window.Start, now, outputs[i], entityId, rows[i], numeric[i]);
            }
        }

        window.Dirty = true;
    }

    /// <summary>Adds a batch of posted predictions: profiled per (version, window) in one pass each, then indexed for labels.</summary>
    public async ValueTask ObserveExternalAsync(IReadOnlyList<(Serving.PredictionEvent Event, IReadOnlyList<FeatureSpec> Features, string[] Row, double Score,
        IReadOnlyList<(string Feature, string Kind, string Example)> Violations)> batch, CancellationToken cancellationToken = default)
    {
        foreach (var group in batch.GroupBy(b => (b.Event.Model, b.Event.Version, Start: WindowStart(b.Event.At))))
        {
            var items = group.ToList();
            var features = items[0].Features;
            var context = await ContextAsync(group.Key.Model, group.Key.Version, features, cancellationToken);
            var window = Window(group.Key.Model, group.Key.Version, group.Key.Start, features, context.BinEdges);
            var rows = items.ConvertAll(i => i.Row);
            var scores = items.ConvertAll(i => i.Score);
            var numeric = ParseNumeric(context, rows);
            window.Profiles.Observe(rows, numeric, context.NumericIndexes, scores);
            ObserveSegments(group.Key.Model, features, window, rows, scores);
            ObserveMultivariate(context, window, numeric);
            for (var n = 0; n < items.Count; n++)
            {
                var (e, _, row, score, violations) = items[n];
                foreach (var (feature, kind, example) in violations)
                {
                    window.AddViolation(feature, kind, example);
                }

                window.AddPrediction(SensitiveGroups(context, row), context.Classifier ? score >= 0.5 : null);
                Index(context, e.RequestId, -1, e.Model, e.Version, window.Start, e.At, score, e.UnitId, row, numeric[n]);
            }
        }
    }

    /// <summary>Re-indexes a stored prediction at start (its traffic profile is already in the checkpoint).</summary>
    public async ValueTask ReplayPredictionAsync(Serving.PredictionEvent e, int index, int count, CancellationToken cancellationToken)
    {
        if (e.Shadow && e.Outputs.Count == 0 || e.At < time.GetUtcNow() - options.Value.LabelHorizon)
        {
            return;
        }

        var score = e.Outputs.GetValueOrDefault("probability") ?? e.Outputs.GetValueOrDefault("prediction");
        var value = score switch
        {
            double d => d,
            JsonElement { ValueKind: JsonValueKind.Number } j => j.GetDouble(),
            JsonElement { ValueKind: JsonValueKind.True } => 1,
            JsonElement { ValueKind: JsonValueKind.False } => 0,
            _ => double.NaN,
        };
        if (!double.IsFinite(value))
        {
            return;
        }

        var context = await ContextAsync(e.Model, e.Version, null, cancellationToken);
        var row = context.Features.Select(f => e.Inputs.TryGetValue(f.Name, out var v) ? Convert.ToString(v is JsonElement j ? (j.ValueKind == JsonValueKind.String ? j.GetString() : j.GetRawText()) : v, CultureInfo.InvariantCulture) ?? "" : "").ToArray();
        Index(context, e.RequestId, count == 1 ? -1 : index, e.Model, e.Version, WindowStart(e.At), e.At, value, e.UnitId, row, ParseNumeric(context, [row])[0]);
    }

    /// <summary>Counts a feedback event's label against the predictions it names (in their windows); returns how many it labelled.</summary>
    public async ValueTask<int> ApplyFeedbackAsync(FeedbackEvent feedback, CancellationToken cancellationToken)
    {
        if (feedback.Label is not { } label)
        {
            return 0;
        }

        var labelled = 0;
        foreach (var p in join.Find(feedback))
        {
            var context = await ContextAsync(p.Model, p.Version, null, cancellationToken);
            if (!_windows.TryGetValue((p.Model, p.Version), out var windows) || !windows.TryGetValue(p.WindowStart, out var window))
            {
                window = Window(p.Model, p.Version, p.WindowStart, context.Features, context.BinEdges);
            }

            window.AddOutcome(context.Classifier, label, p.Score, Groups(context, Expand(context, p)));
            labelled++;
        }

        return labelled;
    }

    private void ObserveSegments(string model, IReadOnlyList<FeatureSpec> features, MonitoringWindow window, IReadOnlyList<string[]> rows, IReadOnlyList<double>? outputs)
    {
        if (!options.Value.SegmentBy.TryGetValue(model, out var feature))
        {
            return;
        }

        var j = -1;
        for (var k = 0; k < features.Count; k++)
        {
            if (features[k].Name == feature)
            {
                j = k;
            }
        }

        if (j < 0)
        {
            return;
        }

        foreach (var group in Enumerable.Range(0, rows.Count).GroupBy(i => string.IsNullOrEmpty(rows[i][j]) ? "(missing)" : rows[i][j], StringComparer.Ordinal))
        {
            window.ObserveSegment(group.Key, group.Select(i => rows[i]).ToList(), outputs is null ? null : group.Select(i => outputs[i]).ToList());
        }
    }

    // The numeric features of each row, parsed once (NaN when missing or not a number), in context.NumericIndexes order.
    private static double[][] ParseNumeric(VersionContext context, IReadOnlyList<string[]> rows)
    {
        var indexes = context.NumericIndexes;
        var parsed = new double[rows.Count][];
        for (var r = 0; r < parsed.Length; r++)
        {
            var row = rows[r];
            var values = new double[indexes.Length];
            for (var k = 0; k < values.Length; k++)
            {
                var j = indexes[k];
                values[k] = j < row.Length && Warden.Inference.InvariantNumber.TryParse(row[j], out var x) ? x : double.NaN;
            }

            parsed[r] = values;
        }

        return parsed;
    }

    // Each row's PCA reconstruction error against the reference's subspace, summed per window (the mean merges exactly).
    private static void ObserveMultivariate(VersionContext context, MonitoringWindow window, double[][] numeric)
    {
        if (context.Pca is not { } pca || numeric.Length == 0)
        {
            return;
        }

        window.AddReconstruction(pca.ReconstructionError(numeric) * numeric.Length, numeric.Length);
    }

    private MonitoringWindow Window(string model, int version, long start, IReadOnlyList<FeatureSpec> features,
        IReadOnlyDictionary<string, IReadOnlyList<double>> binEdges)
    {
        var windows = _windows.GetOrAdd((model, version), _ => new ConcurrentDictionary<long, MonitoringWindow>());
        var window = windows.GetOrAdd(start, s => new MonitoringWindow(s, FeatureProfiles.Create(features, binEdges)));
        if (windows.Count > options.Value.WindowsKept)
        {
            foreach (var old in windows.Keys.Order().Take(windows.Count - options.Value.WindowsKept))
            {
                if (windows.TryGetValue(old, out var w) && !w.Dirty)
                {
                    windows.TryRemove(old, out _);
                }
            }
        }

        return window;
    }

    private Task<VersionContext> ContextAsync(string model, int version, IReadOnlyList<FeatureSpec>? features, CancellationToken cancellationToken)
    {
        var task = _contexts.GetOrAdd((model, version), _ => LoadContextAsync(model, version, features, CancellationToken.None));
        if (task.IsFaulted)
        {
            _contexts.TryRemove((model, version), out _);
        }

        return task.WaitAsync(cancellationToken);
    }

    private async Task<VersionContext> LoadContextAsync(string model, int version, IReadOnlyList<FeatureSpec>? features, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await RegistryService.FindVersionAsync(connection, null, model, version, cancellationToken);
        var sensitive = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT sensitive_attributes FROM models WHERE name = @model", new { model }, cancellationToken: cancellationToken));
        var (reference, sample) = await connection.QuerySingleOrDefaultAsync<(string?, string?)>(new CommandDefinition(
            "SELECT profiles, numeric_sample FROM reference_profiles WHERE version_id = @Id", new { row.Id }, cancellationToken: cancellationToken));
        var all = features ?? row.ParsedSignature.Features;
        var numericIndexes = all.Select((f, j) => (f, j)).Where(x => x.f.Kind == FeatureKinds.Numeric).Select(x => x.j).ToArray();
        Warden.Statistics.Multivariate.PcaReconstructionDrift? pca = null;
        if (sample is not null && JsonSerializer.Deserialize<List<double[]>>(sample) is { Count: >= 20 } rows && rows[0].Length == numericIndexes.Length)
        {
            try
            {
                pca = Warden.Statistics.Multivariate.PcaReconstructionDrift.Fit(rows);
            }
            catch (ArgumentException)
            {
                // Too few usable rows or columns for the detector: univariate drift still works.
            }
        }

        var edges = new Dictionary<string, double[]>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, IReadOnlyList<double>> binEdges = new Dictionary<string, IReadOnlyList<double>>();
        if (reference is not null)
        {
            var referenceProfiles = FeatureProfiles.FromJson(reference);
            binEdges = referenceProfiles.BinEdges();
            foreach (var (name, profile) in referenceProfiles.Numeric)
            {
                if (profile.Count > 0)
                {
                    // Quartiles of the reference: four segments per numeric feature for root cause.
                    edges[name] = [.. new[] { 0.25, 0.5, 0.75 }.Select(q => profile.Quantiles.Quantile(q)).Distinct()];
                }
            }
        }

        return new VersionContext(row.ModelTask == ModelTasks.BinaryClassification, all,
            Registry.RegistryJson.Read<List<SensitiveAttribute>>(sensitive ?? "[]") ?? [], edges, pca, numericIndexes, binEdges);
    }

    /// <summary>Forgets cached grouping of a version (after its reference or its model's sensitive attributes change).</summary>
    public void Invalidate(string model, int version) => _contexts.TryRemove((model, version), out _);

    // Indexes a prediction for its label: its numeric values in model order (NaN elsewhere), and the text of the values
    // that are not numbers.
    private void Index(VersionContext context, string requestId, int position, string model, int version, long windowStart, DateTimeOffset at, double score,
        string? entityId, string[] row, double[] numeric)
    {
        var width = context.Features.Count;
        // All features numeric (the common case): the parsed row is already in model order.
        var numbers = numeric.Length == width ? numeric : new double[width];
        if (!ReferenceEquals(numbers, numeric))
        {
            Array.Fill(numbers, double.NaN);
            for (var k = 0; k < numeric.Length; k++)
            {
                numbers[context.NumericIndexes[k]] = numeric[k];
            }
        }

        string?[]? texts = null;
        for (var j = 0; j < numbers.Length; j++)
        {
            var value = j < row.Length ? row[j] : null;
            if (double.IsNaN(numbers[j]) && (context.Features[j].Kind != FeatureKinds.Numeric || !string.IsNullOrEmpty(value)))
            {
                (texts ??= new string?[numbers.Length])[j] = value;
            }
        }

        join.Add(requestId, position, model, version, windowStart, at, score, entityId, numbers, texts);
    }

    private static string[] Expand(VersionContext context, PendingPrediction p)
    {
        var row = new string[context.Features.Count];
        for (var j = 0; j < row.Length && j < p.Numbers.Length; j++)
        {
            row[j] = p.Texts?[j] ?? (double.IsNaN(p.Numbers[j]) ? "" : p.Numbers[j].ToString("R", CultureInfo.InvariantCulture));
        }

        return row;
    }

    // Every group of a prediction: sensitive attributes (attr:) and segments (seg:) for root cause.
    private static Dictionary<string, string> Groups(VersionContext context, string[] row)
    {
        var groups = new Dictionary<string, string>(context.Features.Count + context.Sensitive.Count, StringComparer.Ordinal);
        AddAttributes(context, row, groups);
        for (var j = 0; j < context.Features.Count && j < row.Length; j++)
        {
            var value = row[j];
            if (context.Features[j].Kind == FeatureKinds.Numeric)
            {
                if (context.BinLabels[j] is { } labels && Warden.Inference.InvariantNumber.TryParse(value, out var x))
                {
                    groups[context.SegmentKeys[j]] = labels[QuantileBin(context.SegmentEdges[context.Features[j].Name], x)];
                }
            }
            else
            {
                groups[context.SegmentKeys[j]] = string.IsNullOrEmpty(value) ? "(missing)" : value.Length > 64 ? value[..64] : value;
            }
        }

        return groups;
    }

    // Only the sensitive attributes' groups (selection rates need no label; the rest waits for the label).
    private static IReadOnlyDictionary<string, string> SensitiveGroups(VersionContext context, string[] row)
    {
        if (!context.HasSensitive)
        {
            return NoGroups;
        }

        var groups = new Dictionary<string, string>(context.Sensitive.Count, StringComparer.Ordinal);
        AddAttributes(context, row, groups);
        return groups;
    }

    private static void AddAttributes(VersionContext context, string[] row, Dictionary<string, string> groups)
    {
        if (!context.HasSensitive)
        {
            return;
        }

        for (var j = 0; j < context.Features.Count && j < row.Length; j++)
        {
            if (context.AttributeKeys[j] is { } key)
            {
                groups[key] = string.IsNullOrEmpty(row[j]) ? "(missing)" : Governance.ValidationMetrics.GroupOf(row[j], context.AttributeBins[j]);
            }
        }
    }

    private static int QuantileBin(double[] edges, double x)
    {
        var i = 0;
        while (i < edges.Length && x > edges[i])
        {
            i++;
        }

        return i;
    }

    private static string[] QuantileLabels(double[] edges) => Enumerable.Range(0, edges.Length + 1).Select(i =>
    {
        var low = i == 0 ? "-inf" : edges[i - 1].ToString("G4", CultureInfo.InvariantCulture);
        var high = i == edges.Length ? "inf" : edges[i].ToString("G4", CultureInfo.InvariantCulture);
        return $"q{i + 1} ({low}, {high}]";
    }).ToArray();

    /// <summary>Writes changed windows to the checkpoint table (traffic part only); returns how many.</summary>
    public async Task<int> CheckpointAsync(CancellationToken cancellationToken)
    {
        var written = 0;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var ((model, version), windows) in _windows)
        {
            foreach (var window in windows.Values.Where(w => w.Dirty).ToList())
            {
                window.Dirty = false;
                var state = window.ToCheckpointJson();
                await using var connection = await database.OpenAsync(cancellationToken);
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO monitoring_windows (replica, model, version, window_start, state, updated_at) VALUES (@replica, @model, @version, @start, @state, @now) " +
                    "ON CONFLICT (replica, model, version, window_start) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
                    new { replica = options.Value.ReplicaId, model, version, start = window.Start, state, now }, cancellationToken: cancellationToken));
                written++;
            }
        }

        return written;
    }

    /// <summary>Deletes this replica's checkpoints older than the kept span (they are never loaded again).</summary>
    public async Task<int> PruneCheckpointsAsync(CancellationToken cancellationToken)
    {
        var from = WindowStart(time.GetUtcNow()) - (long)options.Value.Window.TotalMilliseconds * options.Value.WindowsKept;
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("DELETE FROM monitoring_windows WHERE replica = @replica AND window_start < @from",
            new { replica = options.Value.ReplicaId, from }, cancellationToken: cancellationToken));
    }

    /// <summary>Loads the checkpointed windows still within the kept span (at start, before the event log replays).</summary>
    public async Task LoadCheckpointsAsync(CancellationToken cancellationToken)
    {
        var from = WindowStart(time.GetUtcNow()) - (long)options.Value.Window.TotalMilliseconds * options.Value.WindowsKept;
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Model, long Version, string State)>(new CommandDefinition(
            "SELECT model AS Model, version AS Version, state AS State FROM monitoring_windows WHERE replica = @replica AND window_start >= @from",
            new { from, replica = options.Value.ReplicaId }, cancellationToken: cancellationToken));
        foreach (var (model, version, state) in rows)
        {
            var stored = MonitoringWindow.FromJson(state);
            var windows = _windows.GetOrAdd((model, (int)version), _ => new ConcurrentDictionary<long, MonitoringWindow>());
            if (!windows.TryAdd(stored.Start, stored))
            {
                windows[stored.Start].Merge(stored); // traffic served while the server was starting
            }
        }
    }

    /// <summary>Drift of the window containing <paramref name="at"/> (now when null) against the reference, drifted features
    /// first and the most drifted first among them.</summary>
    public async Task<DriftReport> DriftAsync(string model, int version, DateTimeOffset? at, CancellationToken cancellationToken, TimeSpan? span = null,
        string? segment = null)
    {
        if (segment is not null)
        {
            return await SegmentDriftAsync(model, version, at, span, segment, cancellationToken);
        }

        if (span is { } s && s > options.Value.Window)
        {
            // A longer span: the base windows inside it, merged (exact for counts and moments, within the sketches' bounds otherwise).
            var (_, spanReference) = await LoadReferenceAsync(model, version, cancellationToken);
            var moment = (at ?? time.GetUtcNow()).ToUnixTimeMilliseconds();
            var merged = Merged(model, version, s).Find(w => w.Start <= moment && moment < w.End);
            if (merged.Window is null || merged.Window.Profiles.Rows == 0)
            {
                throw WardenProblemException.NotFound($"Traffic for {model} v{version} in the {s} span containing {DateTimeOffset.FromUnixTimeMilliseconds(moment):O}");
            }

            var spanContext = await ContextAsync(model, version, null, cancellationToken);
            return Drift(model, version, spanReference, merged.Window.Profiles.Snapshot(), merged.Start, merged.End, Multivariate(spanContext, merged.Window));
        }

        var (_, reference, window, start, live) = await LoadAsync(model, version, at, cancellationToken);
        var context = await ContextAsync(model, version, null, cancellationToken);
        return Drift(model, version, reference, window, start, multivariate: Multivariate(context, live));
    }

    private async Task<DriftReport> SegmentDriftAsync(string model, int version, DateTimeOffset? at, TimeSpan? span, string segment, CancellationToken cancellationToken)
    {
        if (!options.Value.SegmentBy.TryGetValue(model, out var feature))
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]>
            {
                ["segment"] = [$"{model} is not segmented; set Warden:Monitoring:SegmentBy:{model} to one of its categorical features"],
            });
        }

        var (_, reference) = await LoadReferenceAsync(model, version, cancellationToken);
        var moment = (at ?? time.GetUtcNow()).ToUnixTimeMilliseconds();
        var window = Merged(model, version, span).Find(w => w.Start <= moment && moment < w.End);
        var segments = window.Window?.SegmentProfiles();
        if (segments is null || !segments.TryGetValue(segment, out var profiles) || profiles.Rows == 0)
        {
            throw WardenProblemException.NotFound($"Traffic of segment {feature}={segment} for {model} v{version} in the window containing {DateTimeOffset.FromUnixTimeMilliseconds(moment):O}" +
                                                  (segments is { Count: > 0 } ? $" (segments: {string.Join(", ", segments.Keys.Order(StringComparer.Ordinal))})" : ""));
        }

        return Drift(model, version, reference, profiles, window.Start, window.End) with { Segment = $"{feature}={segment}", Segments = segments.Keys.Order(StringComparer.Ordinal).ToList() };
    }

    /// <summary>Drift reports of every kept window of traffic (oldest first), the reference read once.</summary>
    public async Task<IReadOnlyList<DriftReport>> DriftTimelineAsync(string model, int version, CancellationToken cancellationToken)
    {
        var (_, reference) = await LoadReferenceAsync(model, version, cancellationToken);
        var context = await ContextAsync(model, version, null, cancellationToken);
        return !_windows.TryGetValue((model, version), out var windows)
            ? []
            : windows.Where(w => w.Value.Profiles.Rows > 0).OrderBy(w => w.Key)
                .Select(w => Drift(model, version, reference, w.Value.Profiles.Snapshot(), w.Key, multivariate: Multivariate(context, w.Value))).ToList();
    }

    private static MultivariateDrift? Multivariate(VersionContext context, MonitoringWindow window)
    {
        var (sum, count) = window.Reconstruction;
        if (context.Pca is not { } pca || count == 0)
        {
            return null;
        }

        var error = sum / count;
        return new MultivariateDrift("pca-reconstruction", error, pca.LowerThreshold, pca.UpperThreshold, error > pca.UpperThreshold || error < pca.LowerThreshold,
            count, pca.Components, pca.ExplainedVariance);
    }

    private DriftReport Drift(string model, int version, FeatureProfiles reference, FeatureProfiles window, long start, long? end = null,
        MultivariateDrift? multivariate = null)
    {
        var results = new List<FeatureDriftResult>();
        foreach (var f in reference.Features)
        {
            if (reference.Numeric.TryGetValue(f.Name, out var refNumeric) && window.Numeric.TryGetValue(f.Name, out var curNumeric) && refNumeric.Count > 0 && curNumeric.Count > 0)
            {
                var settings = options.Value.DriftOptionsFor(model, f.Name);
                try
                {
                    results.Add(DriftAnalyzer.Numeric(f.Name, refNumeric, curNumeric, settings));
                }
                catch (InvalidOperationException) when (settings?.Method is not null)
                {
                    // A binned measure needs both profiles on the reference's edges; a window profiled before the reference
                    // (or an older one) has none, so it is judged with the default test for its type and size.
                    results.Add(DriftAnalyzer.Numeric(f.Name, refNumeric, curNumeric, settings with { Method = null, Threshold = null }));
                }
            }
            else if (reference.Categorical.TryGetValue(f.Name, out var refCategorical) && window.Categorical.TryGetValue(f.Name, out var curCategorical)
                     && refCategorical.Count > 0 && curCategorical.Count > 0)
            {
                results.Add(DriftAnalyzer.Categorical(f.Name, refCategorical, curCategorical, options.Value.DriftOptionsFor(model, f.Name)));
            }
        }

        var dataset = DriftAnalyzer.Dataset(results, options.Value.DatasetDriftShare);
        var ordered = results
            .OrderByDescending(r => r.Drifted)
            .ThenByDescending(r => Severity(r.Statistic, r.PValue, r.Threshold))
            .Select(r => new FeatureDrift(r.Feature, r.Kind.ToString().ToLowerInvariant(), r.Method.ToString(), r.Statistic, r.PValue, r.Threshold, r.Drifted,
                r.Mode.ToString().ToLowerInvariant(), r.ErrorBound,
                reference.Numeric.TryGetValue(r.Feature, out var rn) ? rn.Count : reference.Categorical[r.Feature].Count,
                window.Numeric.TryGetValue(r.Feature, out var wn) ? wn.Count : window.Categorical[r.Feature].Count))
            .ToList();
        return new DriftReport(model, version, DateTimeOffset.FromUnixTimeMilliseconds(start),
            end is { } e ? DateTimeOffset.FromUnixTimeMilliseconds(e) : DateTimeOffset.FromUnixTimeMilliseconds(start) + options.Value.Window, window.Rows, reference.Rows,
            dataset.Drifted, dataset.DriftShare, ordered, PredictionDrift(reference, window, options.Value.DriftOptionsFor(model, "prediction")), multivariate);
    }

    /// <summary>Versions with a reference profile or traffic on this server (optionally of one model), each with its windows,
    /// oldest first.</summary>
    public async Task<IReadOnlyList<MonitoredVersion>> MonitoredAsync(string? model, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var references = (await connection.QueryAsync<(string Name, long Version, long Rows)>(new CommandDefinition(
                "SELECT m.name AS Name, v.version AS Version, r.row_count AS Rows FROM reference_profiles r JOIN model_versions v ON v.id = r.version_id " +
                "JOIN models m ON m.id = v.model_id" + (model is null ? "" : " WHERE m.name = @model"), new { model }, cancellationToken: cancellationToken)))
            .ToDictionary(r => (r.Name, (int)r.Version), r => r.Rows);
        var keys = references.Keys.Concat(_windows.Keys.Where(k => model is null || k.Model == model)).Distinct().OrderBy(k => k.Item1, StringComparer.Ordinal).ThenBy(k => k.Item2);
        var window = options.Value.Window;
        return keys.Select(k => new MonitoredVersion(k.Item1, k.Item2, references.TryGetValue(k, out var rows) ? rows : null,
                _windows.TryGetValue(k, out var windows)
                    ? windows.Where(w => w.Value.Profiles.Rows > 0).OrderBy(w => w.Key).Select(w => new TrafficWindow(DateTimeOffset.FromUnixTimeMilliseconds(w.Key),
                        DateTimeOffset.FromUnixTimeMilliseconds(w.Key) + window, w.Value.Profiles.Rows)).ToList()
                    : []))
            .ToList();
    }

    /// <summary>Data quality of the window containing <paramref name="at"/> (now when null) against the reference: missing
    /// values, values outside the reference's range, unseen categories; features with issues first. Examples are masked by
    /// the version's privacy field policy.</summary>
    public async Task<DataQualityReport> QualityAsync(string model, int version, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        var (row, reference, window, start, live) = await LoadAsync(model, version, at, cancellationToken);
        var signature = row.ParsedSignature;
        var classification = row.Classification;
        var o = options.Value;
        var results = new List<FeatureQuality>();
        foreach (var f in reference.Features)
        {
            var issues = new List<string>();
            var raw = new List<string>();
            long rows, missing;
            double refMissingShare;
            long? below = null, above = null, unseenRows = null;
            int? unseenCategories = null;
            var exact = true;
            if (reference.Numeric.TryGetValue(f.Name, out var rn) && window.Numeric.TryGetValue(f.Name, out var wn))
            {
                (rows, missing, refMissingShare) = (wn.Rows, wn.Missing, Share(rn.Missing, rn.Rows));
                if (rn.Min is { } min && rn.Max is { } max && wn.Count > 0)
                {
                    if (wn.DistinctValueCounts is { } distinct)
                    {
                        below = distinct.Where(kv => kv.Key < min).Sum(kv => kv.Value);
                        above = distinct.Where(kv => kv.Key > max).Sum(kv => kv.Value);
                    }
                    else
                    {
                        // Beyond the window's own extremes the counts are exact; in between the KLL rank is an estimate.
                        below = wn.Min >= min ? 0 : wn.Max < min ? wn.Count : wn.Quantiles.Rank(Math.BitDecrement(min));
                        above = wn.Max <= max ? 0 : wn.Min > max ? wn.Count : wn.Count - wn.Quantiles.Rank(max);
                        exact = wn.Quantiles.IsExact || (below == 0 || below == wn.Count) && (above == 0 || above == wn.Count);
                    }

                    if (below > 0)
                    {
                        raw.Add(wn.Min!.Value.ToString("R", CultureInfo.InvariantCulture));
                    }

                    if (above > 0)
                    {
                        raw.Add(wn.Max!.Value.ToString("R", CultureInfo.InvariantCulture));
                    }

                    var outside = below.Value + above.Value;
                    if (Share(outside, wn.Count) > o.OutOfDomainShare)
                    {
                        issues.Add(string.Create(CultureInfo.InvariantCulture,
                            $"{outside:N0} value(s) ({Share(outside, wn.Count):P1}) outside the reference range [{min:G6}, {max:G6}]{(exact ? "" : " (estimated)")}"));
                    }
                }
            }
            else if (reference.Categorical.TryGetValue(f.Name, out var rc) && window.Categorical.TryGetValue(f.Name, out var wc))
            {
                (rows, missing, refMissingShare) = (wc.Rows, wc.Missing, Share(rc.Missing, rc.Rows));
                exact = rc.IsExact && wc.IsExact;
                if (rc.IsExact)
                {
                    var unseen = wc.Counts.Where(kv => !rc.Counts.ContainsKey(kv.Key)).OrderByDescending(kv => kv.Value).ToList();
                    unseenRows = unseen.Sum(kv => kv.Value);
                    unseenCategories = unseen.Count;
                    raw.AddRange(unseen.Take(3).Select(kv => kv.Key));
                    if (Share(unseenRows.Value, wc.Count) > o.OutOfDomainShare)
                    {
                        issues.Add(string.Create(CultureInfo.InvariantCulture,
                            $"{unseenRows:N0} value(s) ({Share(unseenRows.Value, wc.Count):P1}) in {unseen.Count} categor{(unseen.Count == 1 ? "y" : "ies")} the reference never saw"));
                    }
                }
            }
            else
            {
                continue;
            }

            var missingShare = Share(missing, rows);
            if (missingShare > refMissingShare + o.MissingShareTolerance)
            {
                issues.Add(string.Create(CultureInfo.InvariantCulture, $"{missingShare:P1} missing (reference {refMissingShare:P1})"));
            }

            var examples = new List<string>();
            foreach (var value in raw)
            {
                var masked = await privacy.ApplyFieldPolicyAsync(new Dictionary<string, object?> { [f.Name] = value }, signature, classification,
                    $"model:{model}/quality", cancellationToken);
                examples.Add(Convert.ToString(masked[f.Name], CultureInfo.InvariantCulture) ?? "");
            }

            results.Add(new FeatureQuality(f.Name, f.Kind, rows, missing, missingShare, refMissingShare, below, above, exact, unseenRows, unseenCategories,
                examples, issues));
        }

        var ordered = results.OrderByDescending(r => r.Issues.Count > 0).ThenBy(r => r.Feature, StringComparer.Ordinal).ToList();
        var violations = new List<SchemaViolation>();
        foreach (var v in live.Violations.OrderByDescending(v => v.Count).ThenBy(v => v.Field, StringComparer.Ordinal))
        {
            var masked = new List<string>();
            foreach (var example in v.Examples)
            {
                // Unknown fields have no classification: their names are shown, never their values.
                var shown = v.Kind == "unknown-field" || v.Kind == "missing-field" ? example : Convert.ToString((await privacy.ApplyFieldPolicyAsync(
                    new Dictionary<string, object?> { [v.Field] = example }, signature, classification, $"model:{model}/quality", cancellationToken))[v.Field],
                    CultureInfo.InvariantCulture) ?? "";
                masked.Add(shown);
            }

            violations.Add(new SchemaViolation(v.Field, v.Kind, v.Count, masked));
        }

        return new DataQualityReport(model, version, DateTimeOffset.FromUnixTimeMilliseconds(start), DateTimeOffset.FromUnixTimeMilliseconds(start) + o.Window,
            window.Rows, ordered.Count(r => r.Issues.Count > 0), ordered, violations);
    }

    /// <summary>Performance per window (oldest first) from the labels joined so far; windows without traffic are left out.</summary>
    public async Task<PerformanceReport> PerformanceAsync(string model, int version, TimeSpan? span, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await RegistryService.FindVersionAsync(connection, null, model, version, cancellationToken);
        var windows = Merged(model, version, span);
        var list = windows.Select(w =>
        {
            var (classification, regression, labelled, _, _) = w.Window.Outcomes();
            var predictions = w.Window.Profiles.Rows;
            var metrics = new Dictionary<string, double?>(StringComparer.Ordinal);
            var exact = true;
            double? bound = null;
            if (classification is { Count: > 0 })
            {
                var m = classification.Metrics();
                metrics["accuracy"] = m.Accuracy;
                metrics["precision"] = m.Precision;
                metrics["recall"] = m.Recall;
                metrics["f1"] = m.F1;
                metrics["roc_auc"] = m.RocAuc;
                metrics["log_loss"] = m.LogLoss;
                metrics["brier"] = m.BrierScore;
                metrics["ece"] = m.ExpectedCalibrationError;
                metrics["positive_rate"] = (double)m.Positives / m.Count;
                exact = m.IsExact;
                bound = m.RocAucErrorBound;
            }
            else if (regression is { Count: > 0 })
            {
                var m = regression.Metrics();
                metrics["mae"] = m.MeanAbsoluteError;
                metrics["rmse"] = m.RootMeanSquaredError;
                metrics["mape"] = m.MeanAbsolutePercentageError;
                metrics["r2"] = m.R2;
            }

            return new PerformanceWindow(DateTimeOffset.FromUnixTimeMilliseconds(w.Start), DateTimeOffset.FromUnixTimeMilliseconds(w.End), predictions, labelled,
                predictions == 0 ? 0 : Math.Min(1, (double)labelled / predictions), metrics, exact, bound);
        }).ToList();
        return new PerformanceReport(model, version, row.ModelTask, list, join.Unmatched);
    }

    /// <summary>Metric values of one window, for alert rules: metric → feature ("" when per-window) → value.</summary>
    public sealed record WindowMetrics(long Start, long Rows, long Labelled, IReadOnlyDictionary<string, Dictionary<string, double>> Values,
        MonitoringWindow Window, DriftReport? Drift);

    /// <summary>The metrics of the <paramref name="count"/> newest windows of a version, newest first.</summary>
    public async Task<IReadOnlyList<WindowMetrics>> RecentMetricsAsync(string model, int version, int count, CancellationToken cancellationToken)
    {
        if (!_windows.TryGetValue((model, version), out var windows))
        {
            return [];
        }

        FeatureProfiles? reference = null;
        try
        {
            (_, reference) = await LoadReferenceAsync(model, version, cancellationToken);
        }
        catch (WardenProblemException)
        {
            // No reference: no drift or quality metrics, the rest still counts.
        }

        var result = new List<WindowMetrics>();
        foreach (var window in windows.Values.Where(w => w.Profiles.Rows > 0 || w.Labelled > 0).OrderByDescending(w => w.Start).Take(count))
        {
            var values = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
            void Set(string metric, string feature, double? value)
            {
                if (value is { } v && double.IsFinite(v))
                {
                    if (!values.TryGetValue(metric, out var byFeature))
                    {
                        values[metric] = byFeature = new Dictionary<string, double>(StringComparer.Ordinal);
                    }

                    byFeature[feature] = v;
                }
            }

            var profiles = window.Profiles.Snapshot();
            Set("volume.predictions", "", profiles.Rows);
            Set("quality.violations", "", window.Violations.Sum(v => v.Count));
            DriftReport? drift = null;
            if (reference is not null && profiles.Rows > 0)
            {
                drift = Drift(model, version, reference, profiles, window.Start, multivariate: Multivariate(await ContextAsync(model, version, null, cancellationToken), window));
                if (drift.Multivariate is { } mv)
                {
                    Set("drift.multivariate", "", mv.ReconstructionError / Math.Max(mv.UpperThreshold, 1e-12));
                }
                Set("drift.share", "", drift.DriftShare);
                foreach (var f in drift.Features)
                {
                    Set("drift.score", f.Feature, Warden.Statistics.RootCause.DriftAttribution.NormalizedDrift(ToResult(f)));
                }

                if (drift.PredictionDrift is { } p)
                {
                    Set("drift.prediction", "", Warden.Statistics.RootCause.DriftAttribution.NormalizedDrift(ToResult(p)));
                }

                foreach (var (name, w) in profiles.Numeric)
                {
                    Set("quality.missing_share", name, Share(w.Missing, w.Rows));
                    if (reference.Numeric.TryGetValue(name, out var r) && r.Min is { } min && r.Max is { } max && w.Count > 0)
                    {
                        var below = w.Min >= min ? 0 : w.Max < min ? w.Count : w.Quantiles.Rank(Math.BitDecrement(min));
                        var above = w.Max <= max ? 0 : w.Min > max ? w.Count : w.Count - w.Quantiles.Rank(max);
                        Set("quality.out_of_domain_share", name, Share(below + above, w.Count));
                    }
                }

                foreach (var (name, w) in profiles.Categorical)
                {
                    Set("quality.missing_share", name, Share(w.Missing, w.Rows));
                    if (reference.Categorical.TryGetValue(name, out var r) && r.IsExact && w.Count > 0)
                    {
                        Set("quality.out_of_domain_share", name, Share(w.Counts.Where(kv => !r.Counts.ContainsKey(kv.Key)).Sum(kv => kv.Value), w.Count));
                    }
                }
            }

            var (classification, regression, labelled, groups, _) = window.Outcomes();
            if (classification is { Count: > 0 })
            {
                var m = classification.Metrics();
                Set("performance.accuracy", "", m.Accuracy);
                Set("performance.precision", "", m.Precision);
                Set("performance.recall", "", m.Recall);
                Set("performance.f1", "", m.F1);
                Set("performance.roc_auc", "", m.RocAuc);
                Set("performance.log_loss", "", m.LogLoss);
                Set("performance.brier", "", m.BrierScore);
                Set("performance.ece", "", m.ExpectedCalibrationError);
            }

            if (regression is { Count: > 0 })
            {
                var m = regression.Metrics();
                Set("performance.mae", "", m.MeanAbsoluteError);
                Set("performance.rmse", "", m.RootMeanSquaredError);
                Set("performance.mape", "", m.MeanAbsolutePercentageError);
                Set("performance.r2", "", m.R2);
            }

            foreach (var (attribute, byGroup) in groups)
            {
                var report = Fairness(byGroup);
                Set("fairness.demographic_parity_difference", attribute, report.DemographicParityDifference);
                Set("fairness.demographic_parity_ratio", attribute, report.DemographicParityRatio);
                Set("fairness.equal_opportunity_difference", attribute, report.EqualOpportunityDifference);
                Set("fairness.equalized_odds_difference", attribute, report.EqualizedOddsDifference);
                Set("fairness.disparate_impact", attribute, report.DisparateImpact);
            }

            result.Add(new WindowMetrics(window.Start, profiles.Rows, labelled, values, window, drift));
        }

        return result;
    }

    /// <summary>Fairness per window (oldest first) on each declared sensitive attribute.</summary>
    public async Task<FairnessTimeline> FairnessAsync(string model, int version, TimeSpan? span, CancellationToken cancellationToken)
    {
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            await RegistryService.FindVersionAsync(connection, null, model, version, cancellationToken);
        }

        var windows = Merged(model, version, span).Select(w =>
        {
            var (_, _, _, groups, _) = w.Window.Outcomes();
            var attributes = groups.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
            {
                var r = Fairness(g.Value);
                return new AttributeFairness(g.Key, r.Groups.Select(x => new FairnessGroup(x.Group, x.Count, x.Labeled, x.SelectionRate, x.TruePositiveRate,
                        x.FalsePositiveRate, x.Included)).ToList(),
                    r.DemographicParityDifference, r.DemographicParityRatio, r.EqualOpportunityDifference, r.EqualizedOddsDifference, r.DisparateImpact,
                    r.FailsFourFifthsRule);
            }).ToList();
            return new FairnessWindow(DateTimeOffset.FromUnixTimeMilliseconds(w.Start), DateTimeOffset.FromUnixTimeMilliseconds(w.End), attributes);
        }).Where(w => w.Attributes.Count > 0).ToList();
        return new FairnessTimeline(model, version, options.Value.MinimumGroupSize, windows);
    }

    /// <summary>Fairness of one sensitive attribute's groups (Fairlearn's and AIF360's definitions, Warden.Statistics.Fairness):
    /// selection rates from every prediction, TPR and FPR from the labelled ones; groups under the minimum size are reported
    /// but not judged.</summary>
    private Warden.Statistics.Fairness.FairnessReport Fairness(IReadOnlyDictionary<string, MonitoringWindow.GroupCounts> byGroup)
    {
        var confusion = new Warden.Statistics.Fairness.GroupConfusion();
        foreach (var (group, g) in byGroup)
        {
            confusion.Add(group, new Warden.Statistics.Fairness.GroupCounts(g.TruePositive, g.FalsePositive, g.TrueNegative, g.FalseNegative,
                Math.Max(0, g.Selected - g.TruePositive - g.FalsePositive), Math.Max(0, g.Rows - g.Selected - g.TrueNegative - g.FalseNegative)));
        }

        return confusion.Report(new Warden.Statistics.Fairness.FairnessOptions { MinimumGroupSize = options.Value.MinimumGroupSize });
    }

    /// <summary>The outcomes of every kept window before <paramref name="before"/>, merged: the baseline of a performance alert's
    /// root cause. Null when there is none.</summary>
    public Task<MonitoringWindow?> BaselineAsync(string model, int version, long before, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        if (!_windows.TryGetValue((model, version), out var windows))
        {
            return Task.FromResult<MonitoringWindow?>(null);
        }

        var earlier = windows.Values.Where(w => w.Start < before && w.Labelled > 0).ToList();
        if (earlier.Count == 0)
        {
            return Task.FromResult<MonitoringWindow?>(null);
        }

        var merged = new MonitoringWindow(earlier.Min(w => w.Start), FeatureProfiles.Create(earlier[0].Profiles.Features, earlier[0].Profiles.BinEdges()));
        foreach (var w in earlier)
        {
            merged.Merge(w);
        }

        return Task.FromResult<MonitoringWindow?>(merged);
    }

    /// <summary>A reported drift result back in Warden.Statistics' shape.</summary>
    public static FeatureDriftResult ToResult(FeatureDrift f) => new(f.Feature,
        f.Kind == "categorical" ? Warden.Statistics.Drift.FeatureKind.Categorical : Warden.Statistics.Drift.FeatureKind.Numeric,
        Enum.Parse<DriftMethod>(f.Method), f.Statistic, f.PValue, f.Threshold, f.Drifted, Enum.Parse<DriftMode>(f.Mode, ignoreCase: true), f.ErrorBound, 0);

    /// <summary>Permutation importance of the version's features (from its reference data), or null without a reference.</summary>
    public async Task<IReadOnlyDictionary<string, double>?> ImportanceAsync(string model, int version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await RegistryService.FindVersionAsync(connection, null, model, version, cancellationToken);
        var json = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT importance FROM reference_profiles WHERE version_id = @Id", new { row.Id }, cancellationToken: cancellationToken));
        return json is null ? null : JsonSerializer.Deserialize<Dictionary<string, double>>(json);
    }

    /// <summary>The version's windows in memory, oldest first, merged into spans of <paramref name="span"/> (a multiple of the
    /// base window; null: the base window). Merging is exact for counts, moments and confusion cells.</summary>
    private List<(long Start, long End, MonitoringWindow Window)> Merged(string model, int version, TimeSpan? span)
    {
        var baseMs = (long)options.Value.Window.TotalMilliseconds;
        var spanMs = span is { } s ? Math.Max(baseMs, (long)s.TotalMilliseconds / baseMs * baseMs) : baseMs;
        if (!_windows.TryGetValue((model, version), out var windows))
        {
            return [];
        }

        var result = new List<(long, long, MonitoringWindow)>();
        foreach (var group in windows.Values.OrderBy(w => w.Start).GroupBy(w => w.Start / spanMs * spanMs))
        {
            var first = group.First();
            if (spanMs == baseMs)
            {
                result.Add((group.Key, group.Key + spanMs, first));
                continue;
            }

            var merged = new MonitoringWindow(group.Key, FeatureProfiles.Create(first.Profiles.Features, first.Profiles.BinEdges()));
            foreach (var w in group)
            {
                merged.Merge(w);
            }

            result.Add((group.Key, group.Key + spanMs, merged));
        }

        return result;
    }

    /// <summary>Drift of the model's output (scores of the reference data against served scores), when both were profiled.</summary>
    private static FeatureDrift? PredictionDrift(FeatureProfiles reference, FeatureProfiles window, FeatureDriftOptions? settings)
    {
        if (reference.Output is not { Count: > 0 } r || window.Output is not { Count: > 0 } w)
        {
            return null;
        }

        var d = DriftAnalyzer.Numeric("prediction", r, w, settings);
        return new FeatureDrift(d.Feature, "output", d.Method.ToString(), d.Statistic, d.PValue, d.Threshold, d.Drifted, d.Mode.ToString().ToLowerInvariant(),
            d.ErrorBound, r.Count, w.Count);
    }

    private static double Share(long part, long whole) => whole == 0 ? 0 : (double)part / whole;

    private async Task<(VersionRow Row, FeatureProfiles Reference, FeatureProfiles Window, long Start, MonitoringWindow Live)> LoadAsync(string model, int version, DateTimeOffset? at,
        CancellationToken cancellationToken)
    {
        var (row, reference) = await LoadReferenceAsync(model, version, cancellationToken);
        var start = WindowStart(at ?? time.GetUtcNow());
        if (!_windows.TryGetValue((model, version), out var windows) || !windows.TryGetValue(start, out var live) || live.Profiles.Rows == 0)
        {
            throw WardenProblemException.NotFound($"A window of traffic for {model} v{version} starting {DateTimeOffset.FromUnixTimeMilliseconds(start):O}");
        }

        return (row, reference, live.Profiles.Snapshot(), start, live);
    }

    private async Task<(VersionRow Row, FeatureProfiles Reference)> LoadReferenceAsync(string model, int version, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await RegistryService.FindVersionAsync(connection, null, model, version, cancellationToken);
        var json = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT profiles FROM reference_profiles WHERE version_id = @Id", new { row.Id }, cancellationToken: cancellationToken))
            ?? throw WardenProblemException.Conflict($"{model} v{version} has no reference profile; upload its training or validation data first.");
        return (row, FeatureProfiles.FromJson(json));
    }

    /// <summary>How far past (≥ 1) or short of (&lt; 1) its threshold a drift result is (p-value tests: smaller p is worse;
    /// distances: larger is worse).</summary>
    public static double Severity(double statistic, double? pValue, double threshold) =>
        pValue is { } p ? (threshold / Math.Max(p, 1e-300)) : statistic / Math.Max(threshold, 1e-12);

    private long WindowStart(DateTimeOffset at)
    {
        var ms = (long)options.Value.Window.TotalMilliseconds;
        return at.ToUnixTimeMilliseconds() / ms * ms;
    }
}
