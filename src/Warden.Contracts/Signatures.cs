namespace Warden.Contracts;

/// <summary>One input or output tensor of a model.</summary>
/// <param name="Name">Tensor name in the artifact.</param>
/// <param name="ElementType">Element type: float32, float64, int64, int32, int16, int8, uint8, bool, string, float16.</param>
/// <param name="Shape">Dimensions; -1 where a dimension is dynamic (usually the batch).</param>
public sealed record TensorSpec(string Name, string ElementType, IReadOnlyList<long> Shape);

/// <summary>One named feature of a tabular model.</summary>
/// <param name="Name">The feature (column) name callers send.</param>
/// <param name="Kind">numeric, categorical, boolean or text.</param>
/// <param name="ElementType">How the model receives it (float32, string, bool …).</param>
public sealed record FeatureSpec(string Name, string Kind, string ElementType);

/// <summary>What a model takes and returns, read from the artifact.</summary>
/// <param name="Format">onnx or mlnet.</param>
/// <param name="Inputs">Input tensors (for ML.NET: input columns).</param>
/// <param name="Outputs">Output tensors (for ML.NET: output columns).</param>
/// <param name="Features">For tabular models: the features in the order the model consumes them.</param>
public sealed record ModelSignature(string Format, IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs, IReadOnlyList<FeatureSpec> Features);

/// <summary>Feature kinds used in <see cref="FeatureSpec.Kind"/>.</summary>
public static class FeatureKinds
{
    /// <summary>A number.</summary>
    public const string Numeric = "numeric";

    /// <summary>One of a set of values.</summary>
    public const string Categorical = "categorical";

    /// <summary>True or false.</summary>
    public const string Boolean = "boolean";

    /// <summary>Free text.</summary>
    public const string Text = "text";

    /// <summary>All kinds.</summary>
    public static IReadOnlyList<string> All { get; } = [Numeric, Categorical, Boolean, Text];
}
