using System.Globalization;
using System.Text.Json;
using Warden.Contracts;
using Warden.Statistics.Sketches;

namespace Warden.Server.Monitoring;

/// <summary>Mergeable profiles of every feature of one version over some rows: numeric features get a NumericProfile
/// (moments, KLL quantiles, histogram on the reference's bin edges), the others a CategoricalProfile. Thread-safe.</summary>
public sealed class FeatureProfiles
{
    private readonly Lock _gate = new();
    private NumericProfile?[]? _ordered;
    private IReadOnlyList<int>? _orderedFor;

    private FeatureProfiles(IReadOnlyList<FeatureSpec> features, Dictionary<string, NumericProfile> numeric, Dictionary<string, CategoricalProfile> categorical)
    {
        Features = features;
        Numeric = numeric;
        Categorical = categorical;
    }

    /// <summary>The features, in model order.</summary>
    public IReadOnlyList<FeatureSpec> Features { get; }

    /// <summary>Numeric profiles by feature.</summary>
    public Dictionary<string, NumericProfile> Numeric { get; }

    /// <summary>The histogram bin edges of each numeric feature that has them (the reference's, shared by its windows).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> BinEdges() =>
        Numeric.Where(kv => kv.Value.Histogram is not null).ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)kv.Value.Histogram!.Edges.ToArray(), StringComparer.Ordinal);

    /// <summary>Categorical profiles by feature.</summary>
    public Dictionary<string, CategoricalProfile> Categorical { get; }

    /// <summary>Profile of the model's output (probability of the positive class, or the regression value), when scored.</summary>
    public NumericProfile? Output { get; private set; }

    /// <summary>Rows observed.</summary>
    public long Rows { get; private set; }

    /// <summary>Empty profiles; numeric histograms use <paramref name="binEdges"/> (the reference's) when given.</summary>
    public static FeatureProfiles Create(IReadOnlyList<FeatureSpec> features, IReadOnlyDictionary<string, IReadOnlyList<double>>? binEdges = null) => new(
        features,
        features.Where(f => f.Kind == FeatureKinds.Numeric).ToDictionary(f => f.Name,
            f => new NumericProfile(new NumericProfileOptions { BinEdges = binEdges?.GetValueOrDefault(f.Name) }), StringComparer.Ordinal),
        features.Where(f => f.Kind != FeatureKinds.Numeric).ToDictionary(f => f.Name, _ => new CategoricalProfile(), StringComparer.Ordinal));

    /// <summary>Adds rows and, when given, the model's output for each row (same order).</summary>
    public void Observe(IReadOnlyList<string[]> rows, IReadOnlyList<double>? outputs)
    {
        lock (_gate)
        {
            Observe(rows);
            if (outputs is not null)
            {
                Output ??= new NumericProfile();
                for (var i = 0; i < outputs.Count; i++)
                {
                    var o = outputs[i];
                    Output.Add(double.IsFinite(o) ? o : null);
                }
            }
        }
    }

    /// <summary>Adds rows whose numeric values are already parsed: <paramref name="numeric"/>[r][k] is the value of feature
    /// <paramref name="numericIndexes"/>[k] of row r (NaN when missing); the other features are read from the text rows.</summary>
    public void Observe(IReadOnlyList<string[]> rows, IReadOnlyList<double[]> numeric, IReadOnlyList<int> numericIndexes, IReadOnlyList<double>? outputs)
    {
        lock (_gate)
        {
            // The profiles in numericIndexes order, looked up once per version rather than once per call.
            if (!ReferenceEquals(_orderedFor, numericIndexes))
            {
                _ordered = numericIndexes.Select(j => Numeric.GetValueOrDefault(Features[j].Name)).ToArray();
                _orderedFor = numericIndexes;
            }

            var profiles = _ordered!;
            for (var r = 0; r < rows.Count; r++)
            {
                var values = numeric[r];
                for (var k = 0; k < profiles.Length; k++)
                {
                    profiles[k]?.Add(values[k]);
                }

                if (Categorical.Count > 0)
                {
                    var row = rows[r];
                    for (var j = 0; j < Features.Count; j++)
                    {
                        if (Categorical.TryGetValue(Features[j].Name, out var categorical))
                        {
                            categorical.Add(string.IsNullOrEmpty(row[j]) ? null : row[j]);
                        }
                    }
                }

                Rows++;
            }

            if (outputs is not null)
            {
                Output ??= new NumericProfile();
                for (var i = 0; i < outputs.Count; i++)
                {
                    var o = outputs[i];
                    Output.Add(double.IsFinite(o) ? o : null);
                }
            }
        }
    }

    /// <summary>Adds rows (values in model order, numbers as invariant text).</summary>
    public void Observe(IReadOnlyList<string[]> rows)
    {
        lock (_gate)
        {
            foreach (var row in rows)
            {
                for (var j = 0; j < Features.Count; j++)
                {
                    var f = Features[j];
                    if (Numeric.TryGetValue(f.Name, out var numeric))
                    {
                        numeric.Add(Warden.Inference.InvariantNumber.TryParse(row[j], out var v) ? v : double.NaN);
                    }
                    else
                    {
                        Categorical[f.Name].Add(string.IsNullOrEmpty(row[j]) ? null : row[j]);
                    }
                }

                Rows++;
            }
        }
    }

    /// <summary>Merges profiles of the same features (another window, another replica) into these.</summary>
    public void Merge(FeatureProfiles other)
    {
        lock (_gate)
        {
            _orderedFor = null; // a profile may be replaced below
            foreach (var (name, profile) in other.Numeric)
            {
                if (Numeric.TryGetValue(name, out var mine))
                {
                    if (mine.CanMerge(profile))
                    {
                        mine.Merge(profile);
                    }
                    else
                    {
                        // Binned on other edges (a window from before the reference, or from an older one): merge all
                        // but the histogram; binned drift measures then fall back to the default test for this span.
                        var merged = mine.WithoutHistogram();
                        merged.Merge(profile.WithoutHistogram());
                        Numeric[name] = merged;
                    }
                }
            }

            foreach (var (name, profile) in other.Categorical)
            {
                if (Categorical.TryGetValue(name, out var mine))
                {
                    mine.Merge(profile);
                }
            }

            if (other.Output is { } output)
            {
                if (Output is null)
                {
                    Output = output.Clone();
                }
                else
                {
                    Output.Merge(output);
                }
            }

            Rows += other.Rows;
        }
    }

    /// <summary>A copy that can be read while this one keeps growing.</summary>
    public FeatureProfiles Snapshot()
    {
        lock (_gate)
        {
            return new FeatureProfiles(Features,
                Numeric.ToDictionary(kv => kv.Key, kv => NumericProfile.FromJson(kv.Value.ToJson()), StringComparer.Ordinal),
                Categorical.ToDictionary(kv => kv.Key, kv => kv.Value.Clone(), StringComparer.Ordinal)) { Rows = Rows, Output = Output?.Clone() };
        }
    }

    /// <summary>Serialises the profiles (each in Warden.Statistics' own JSON format).</summary>
    public string ToJson() => JsonSerializer.Serialize(new Stored(Rows, Features.ToList(),
        Numeric.ToDictionary(kv => kv.Key, kv => kv.Value.ToJson()), Categorical.ToDictionary(kv => kv.Key, kv => kv.Value.ToJson()), Output?.ToJson()));

    /// <summary>Reads profiles written by <see cref="ToJson"/>.</summary>
    public static FeatureProfiles FromJson(string json)
    {
        var stored = JsonSerializer.Deserialize<Stored>(json)!;
        return new FeatureProfiles(stored.Features,
            stored.Numeric.ToDictionary(kv => kv.Key, kv => NumericProfile.FromJson(kv.Value), StringComparer.Ordinal),
            stored.Categorical.ToDictionary(kv => kv.Key, kv => CategoricalProfile.FromJson(kv.Value), StringComparer.Ordinal))
        {
            Rows = stored.Rows,
            Output = stored.Output is null ? null : NumericProfile.FromJson(stored.Output),
        };
    }

    private sealed record Stored(long Rows, List<FeatureSpec> Features, Dictionary<string, string> Numeric, Dictionary<string, string> Categorical, string? Output = null);
}
