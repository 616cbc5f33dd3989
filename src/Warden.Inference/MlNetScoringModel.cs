using Microsoft.ML;
using Microsoft.ML.Data;
using Warden.Contracts;

namespace Warden.Inference;

/// <summary>An ML.NET model zip. Its input schema (saved with the model) gives the features; the label column
/// (declared, or a column named "Label") is excluded. Scores come from the "Probability" column (binary
/// classifiers) or "Score" (regressors).</summary>
internal sealed class MlNetScoringModel : IScoringModel
{
    private readonly MLContext _ml = new(seed: 0);
    private readonly ITransformer _model;
    private readonly DataViewSchema _inputSchema;
    private readonly string? _label;

    public MlNetScoringModel(byte[] artifact, IReadOnlyList<FeatureSpec>? declared, string? labelColumn)
    {
        try
        {
            using var stream = new MemoryStream(artifact, writable: false);
            _model = _ml.Model.Load(stream, out _inputSchema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ModelArtifactException($"the zip is not a loadable ML.NET model ({e.Message.Split('\n')[0].Trim()})", e);
        }

        if (_inputSchema is null || _inputSchema.Count == 0)
        {
            throw new ModelArtifactException("the ML.NET model was saved without its input schema; save it with mlContext.Model.Save(model, data.Schema, stream)");
        }

        _label = labelColumn ?? (_inputSchema.GetColumnOrNull("Label") is not null ? "Label" : null);
        var inputs = _inputSchema.Where(c => !c.IsHidden).Select(c => new TensorSpec(c.Name, TypeName(c.Type), Shape(c.Type))).ToList();
        DataViewSchema output;
        try
        {
            output = _model.GetOutputSchema(_inputSchema);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new ModelArtifactException($"the ML.NET model does not accept its own input schema ({e.Message})", e);
        }

        var outputs = output.Where(c => !c.IsHidden && _inputSchema.GetColumnOrNull(c.Name) is null)
            .Select(c => new TensorSpec(c.Name, TypeName(c.Type), Shape(c.Type))).ToList();
        var features = inputs.Where(i => !string.Equals(i.Name, _label, StringComparison.Ordinal))
            .Select(i => new FeatureSpec(i.Name, ModelRuntime.KindOf(i.ElementType), i.ElementType)).ToList();
        ModelRuntime.CheckDeclared(features, declared);
        if (declared is { Count: > 0 })
        {
            var kinds = declared.ToDictionary(d => d.Name, d => d.Kind, StringComparer.Ordinal);
            features = features.Select(f => f with { Kind = kinds[f.Name] }).ToList();
        }

        Signature = new ModelSignature(ModelRuntime.MlNet, inputs, outputs, features);
    }

    public ModelSignature Signature { get; }

    public double[] Score(CsvTable data)
    {
        var columns = _inputSchema.Where(c => !c.IsHidden).ToList();
        foreach (var feature in Signature.Features)
        {
            if (!data.Has(feature.Name))
            {
                throw new ScoringException($"the data lacks the feature '{feature.Name}'");
            }
        }

        // Columns are built in memory (no temporary files: request data never touches the disk).
        var n = data.Rows.Count;
        var arrays = new Array[columns.Count];
        for (var j = 0; j < columns.Count; j++)
        {
            var column = columns[j];
            var source = data.Has(column.Name) ? data.Column(column.Name) : null;
            var raw = column.Type.RawType;
            if (raw == typeof(float))
            {
                arrays[j] = Enumerable.Range(0, n).Select(r => source is null ? 0f : (float)ModelRuntime.ParseNumber(source[r], r, column.Name)).ToArray();
            }
            else if (raw == typeof(double))
            {
                arrays[j] = Enumerable.Range(0, n).Select(r => source is null ? 0d : ModelRuntime.ParseNumber(source[r], r, column.Name)).ToArray();
            }
            else if (raw == typeof(bool))
            {
                arrays[j] = Enumerable.Range(0, n).Select(r => source is not null && ModelRuntime.ParseBool(source[r], r, column.Name)).ToArray();
            }
            else if (raw == typeof(int))
            {
                arrays[j] = Enumerable.Range(0, n).Select(r => source is null ? 0 : (int)ModelRuntime.ParseNumber(source[r], r, column.Name)).ToArray();
            }
            else if (raw == typeof(long))
            {
                arrays[j] = Enumerable.Range(0, n).Select(r => source is null ? 0L : (long)ModelRuntime.ParseNumber(source[r], r, column.Name)).ToArray();
            }
            else if (raw == typeof(ReadOnlyMemory<char>))
            {
                arrays[j] = Enumerable.Range(0, n).Select(r => source?[r] ?? "").ToArray();
            }
            else
            {
                throw new ScoringException($"input column '{column.Name}' has type {column.Type}, which Warden cannot feed from tabular data");
            }
        }

        try
        {
            var view = new InMemoryDataView(InMemoryDataView.SchemaOf(columns.Select(c => (c.Name, c.Type))), arrays, n);
            var scored = _model.Transform(view);
            var name = scored.Schema.GetColumnOrNull("Probability") is not null ? "Probability" : "Score";
            return scored.GetColumn<float>(name).Select(v => (double)v).ToArray();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentOutOfRangeException)
        {
            throw new ScoringException($"the model could not score the data: {e.Message.Split('\n')[0]}", e);
        }
    }

    public void Dispose()
    {
        (_model as IDisposable)?.Dispose();
    }

    private static string TypeName(DataViewType type)
    {
        var raw = type is VectorDataViewType v ? v.ItemType.RawType : type.RawType;
        return raw switch
        {
            _ when raw == typeof(float) => "float32",
            _ when raw == typeof(double) => "float64",
            _ when raw == typeof(bool) => "bool",
            _ when raw == typeof(int) => "int32",
            _ when raw == typeof(long) => "int64",
            _ when raw == typeof(uint) => "uint32",
            _ when raw == typeof(ReadOnlyMemory<char>) => "string",
            _ => raw.Name.ToLowerInvariant(),
        };
    }

    private static long[] Shape(DataViewType type) =>
        type is VectorDataViewType v ? [-1, v.Size == 0 ? -1 : v.Size] : [-1];
}
