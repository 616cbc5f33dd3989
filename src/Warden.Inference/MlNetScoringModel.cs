using System.Globalization;
using System.Text;
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

        // ML.NET reads tabular data through its text loader: write exactly the model's input columns, in order.
        var path = Path.Combine(Path.GetTempPath(), $"warden-score-{Guid.NewGuid():N}.csv");
        try
        {
            var text = new StringBuilder();
            var sources = columns.Select(c => data.Has(c.Name) ? data.Column(c.Name) : null).ToList();
            for (var r = 0; r < data.Rows.Count; r++)
            {
                for (var j = 0; j < columns.Count; j++)
                {
                    if (j > 0)
                    {
                        text.Append(',');
                    }

                    var value = sources[j]?[r] ?? DefaultFor(columns[j].Type);
                    if (columns[j].Type is NumberDataViewType && value.Length > 0)
                    {
                        value = ModelRuntime.ParseNumber(value, r, columns[j].Name).ToString("R", CultureInfo.InvariantCulture);
                    }
                    else if (columns[j].Type is BooleanDataViewType)
                    {
                        value = ModelRuntime.ParseBool(value, r, columns[j].Name) ? "true" : "false";
                    }

                    text.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
                }

                text.Append('\n');
            }

            File.WriteAllText(path, text.ToString());
            var loader = _ml.Data.CreateTextLoader(
                columns.Select((c, i) => new TextLoader.Column(c.Name, KindOf(c.Type), i)).ToArray(),
                separatorChar: ',', hasHeader: false, allowQuoting: true);
            var scored = _model.Transform(loader.Load(path));
            var column = scored.Schema.GetColumnOrNull("Probability") is not null ? "Probability" : "Score";
            return scored.GetColumn<float>(column).Select(v => (double)v).ToArray();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentOutOfRangeException)
        {
            throw new ScoringException($"the model could not score the data: {e.Message.Split('\n')[0]}", e);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public void Dispose()
    {
        (_model as IDisposable)?.Dispose();
    }

    private static string DefaultFor(DataViewType type) => type switch
    {
        BooleanDataViewType => "false",
        NumberDataViewType => "0",
        _ => "",
    };

    private static DataKind KindOf(DataViewType type)
    {
        var raw = type is VectorDataViewType v ? v.ItemType.RawType : type.RawType;
        return raw switch
        {
            _ when raw == typeof(float) => DataKind.Single,
            _ when raw == typeof(double) => DataKind.Double,
            _ when raw == typeof(bool) => DataKind.Boolean,
            _ when raw == typeof(int) => DataKind.Int32,
            _ when raw == typeof(long) => DataKind.Int64,
            _ when raw == typeof(uint) => DataKind.UInt32,
            _ => DataKind.String,
        };
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
