using Warden.Contracts;

namespace Warden.Inference;

/// <summary>A loaded model that scores tabular data.</summary>
public interface IScoringModel : IDisposable
{
    /// <summary>The signature read from the artifact (with declared feature names where the artifact has none).</summary>
    ModelSignature Signature { get; }

    /// <summary>Scores every row of <paramref name="data"/>: for classifiers the probability of the positive class,
    /// for regressors the predicted value.</summary>
    double[] Score(CsvTable data);
}

/// <summary>Data that a model cannot score (a missing column, a value of the wrong kind); the message names it.</summary>
public sealed class ScoringException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Loads ONNX and ML.NET artifacts.</summary>
public static class ModelRuntime
{
    /// <summary>Artifact format names.</summary>
    public const string Onnx = "onnx";

    /// <summary>ML.NET model zip.</summary>
    public const string MlNet = "mlnet";

    /// <summary>"mlnet" for a zip archive (ML.NET saves models as zips), else "onnx".</summary>
    public static string DetectFormat(ReadOnlySpan<byte> artifact) =>
        artifact.Length >= 4 && artifact[0] == 'P' && artifact[1] == 'K' && artifact[2] == 3 && artifact[3] == 4 ? MlNet : Onnx;

    /// <summary>Loads <paramref name="artifact"/>; throws <see cref="ModelArtifactException"/> when it is not a model or
    /// contradicts <paramref name="declaredFeatures"/> (names, order and kinds the uploader says the model takes).</summary>
    public static IScoringModel Load(byte[] artifact, IReadOnlyList<FeatureSpec>? declaredFeatures = null, string? labelColumn = null, int? intraOpThreads = null)
    {
        if (artifact.Length == 0)
        {
            throw new ModelArtifactException("the artifact is empty");
        }

        if (DetectFormat(artifact) == MlNet)
        {
            return new MlNetScoringModel(artifact, declaredFeatures, labelColumn);
        }

        if (intraOpThreads is null)
        {
            return new OnnxScoringModel(artifact, declaredFeatures);
        }

        using var options = new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = intraOpThreads.Value, InterOpNumThreads = 1 };
        return new OnnxScoringModel(artifact, declaredFeatures, options);
    }

    /// <summary>The feature kind that suits an element type.</summary>
    public static string KindOf(string elementType) => elementType switch
    {
        "string" => FeatureKinds.Categorical,
        "bool" => FeatureKinds.Boolean,
        _ => FeatureKinds.Numeric,
    };

    /// <summary>Checks a declared kind against the element type the model takes.</summary>
    internal static bool Compatible(string declaredKind, string elementType) => declaredKind switch
    {
        FeatureKinds.Numeric => elementType is not ("string" or "bool"),
        FeatureKinds.Categorical or FeatureKinds.Text => elementType == "string",
        FeatureKinds.Boolean => elementType is "bool" or "string" or "float32" or "float64" or "int64" or "int32",
        _ => false,
    };

    internal static void CheckDeclared(IReadOnlyList<FeatureSpec> actual, IReadOnlyList<FeatureSpec>? declared)
    {
        if (declared is null || declared.Count == 0)
        {
            return;
        }

        var byName = actual.ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var d in declared)
        {
            if (!byName.TryGetValue(d.Name, out var a))
            {
                throw new ModelArtifactException(
                    $"the declared feature '{d.Name}' is not an input of the model; the model takes: {string.Join(", ", actual.Select(f => f.Name))}");
            }

            if (!FeatureKinds.All.Contains(d.Kind, StringComparer.Ordinal))
            {
                throw new ModelArtifactException($"feature '{d.Name}': unknown kind '{d.Kind}' (use {string.Join(", ", FeatureKinds.All)})");
            }

            if (!Compatible(d.Kind, a.ElementType))
            {
                throw new ModelArtifactException($"feature '{d.Name}' is declared {d.Kind} but the model takes {a.ElementType}");
            }
        }

        var missing = actual.Select(f => f.Name).Except(declared.Select(d => d.Name), StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new ModelArtifactException($"the declared signature omits the model's input(s): {string.Join(", ", missing)}");
        }
    }

    internal static double ParseNumber(string text, int row, string column)
    {
        if (InvariantNumber.TryParse(text, out var value))
        {
            return value;
        }

        if (text.Length == 0)
        {
            return double.NaN;
        }

        throw new ScoringException($"row {row + 1}, column '{column}': '{Trim(text)}' is not a number");
    }

    internal static bool ParseBool(string text, int row, string column) => text.Trim().ToLowerInvariant() switch
    {
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" or "" => false,
        _ => throw new ScoringException($"row {row + 1}, column '{column}': '{Trim(text)}' is not a boolean"),
    };

    private static string Trim(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
