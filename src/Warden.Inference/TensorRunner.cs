namespace Warden.Inference;

/// <summary>A tensor in or out of a model, in the Open Inference Protocol's terms: datatype (BOOL, UINT8…UINT64, INT8…INT64,
/// FP16, FP32, FP64, BYTES), shape, and the elements in row-major order.</summary>
public sealed record TensorData(string Name, string Datatype, long[] Shape, Array Data);

/// <summary>Raw tensor inference for the Open Inference Protocol: implemented by models that take tensors directly (ONNX).</summary>
public interface ITensorModel
{
    /// <summary>Runs the model on named input tensors and returns the requested outputs (all when null).</summary>
    IReadOnlyList<TensorData> Run(IReadOnlyList<TensorData> inputs, IReadOnlyCollection<string>? outputs);
}

/// <summary>Maps OIP datatypes to ONNX element types and builds ONNX Runtime values.</summary>
public static class OipTypes
{
    /// <summary>OIP datatype → ONNX element type name (as in signatures).</summary>
    public static IReadOnlyDictionary<string, string> ToElementType { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["BOOL"] = "bool", ["UINT8"] = "uint8", ["UINT16"] = "uint16", ["UINT32"] = "uint32", ["UINT64"] = "uint64",
        ["INT8"] = "int8", ["INT16"] = "int16", ["INT32"] = "int32", ["INT64"] = "int64",
        ["FP16"] = "float16", ["FP32"] = "float32", ["FP64"] = "float64", ["BYTES"] = "string",
    };

    /// <summary>ONNX element type name → OIP datatype.</summary>
    public static string ToDatatype(string elementType) =>
        ToElementType.FirstOrDefault(kv => kv.Value == elementType).Key ?? elementType.ToUpperInvariant();
}
