using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

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

    internal static NamedOnnxValue ToOnnx(TensorData t)
    {
        var dims = t.Shape.Select(d => checked((int)d)).ToArray();
        return t.Datatype switch
        {
            "FP32" => NamedOnnxValue.CreateFromTensor(t.Name, new DenseTensor<float>((float[])t.Data, dims)),
            "FP64" => NamedOnnxValue.CreateFromTensor(t.Name, new DenseTensor<double>((double[])t.Data, dims)),
            "FP16" => NamedOnnxValue.CreateFromTensor(t.Name, new DenseTensor<Float16>(((float[])t.Data).Select(v => (Float16)v).ToArray(), dims)),
            "INT64" => NamedOnnxValue.CreateFromTensor(t.Name, new DenseTensor<long>((long[])t.Data, dims)),
            "INT32" => NamedOnnxValue.CreateFromTensor(t.Name, new DenseTensor<int>((int[])t.Data, dims)),
            "INT16" => NamedOnnxValue.CreateFromTensor(t.Name, new DenseTensor<short>((short[])t.Data, dims)),
            "INT8" => NamedOnnxValue.CreateFromTensor(t.Name, new DenseTensor<sbyte>((sbyte[])t.Data, dims)),
            "UINT8" => NamedOnnxValue.CreateFromTensor(t.Name, new DenseTensor<byte>((byte[])t.Data, dims)),
            "UINT16" => NamedOnnxValue.CreateFromTensor(t.Name, new DenseTensor<ushort>((ushort[])t.Data, dims)),
            "UINT32" => NamedOnnxValue.CreateFromTensor(t.Name, new DenseTensor<uint>((uint[])t.Data, dims)),
            "UINT64" => NamedOnnxValue.CreateFromTensor(t.Name, new DenseTensor<ulong>((ulong[])t.Data, dims)),
            "BOOL" => NamedOnnxValue.CreateFromTensor(t.Name, new DenseTensor<bool>((bool[])t.Data, dims)),
            "BYTES" => NamedOnnxValue.CreateFromTensor(t.Name, new DenseTensor<string>((string[])t.Data, dims)),
            _ => throw new ScoringException($"datatype {t.Datatype} is not supported"),
        };
    }

    internal static TensorData FromOnnx(DisposableNamedOnnxValue value) => value.Value switch
    {
        Tensor<float> t => new(value.Name, "FP32", Dims(t), t.ToArray()),
        Tensor<double> t => new(value.Name, "FP64", Dims(t), t.ToArray()),
        Tensor<Float16> t => new(value.Name, "FP16", Dims(t), t.ToArray().Select(v => (float)v).ToArray()),
        Tensor<long> t => new(value.Name, "INT64", Dims(t), t.ToArray()),
        Tensor<int> t => new(value.Name, "INT32", Dims(t), t.ToArray()),
        Tensor<short> t => new(value.Name, "INT16", Dims(t), t.ToArray()),
        Tensor<sbyte> t => new(value.Name, "INT8", Dims(t), t.ToArray()),
        Tensor<byte> t => new(value.Name, "UINT8", Dims(t), t.ToArray()),
        Tensor<ushort> t => new(value.Name, "UINT16", Dims(t), t.ToArray()),
        Tensor<uint> t => new(value.Name, "UINT32", Dims(t), t.ToArray()),
        Tensor<ulong> t => new(value.Name, "UINT64", Dims(t), t.ToArray()),
        Tensor<bool> t => new(value.Name, "BOOL", Dims(t), t.ToArray()),
        Tensor<string> t => new(value.Name, "BYTES", Dims(t), t.ToArray()),
        _ => throw new ScoringException($"output '{value.Name}' is not a tensor Warden can return"),
    };

    private static long[] Dims<T>(Tensor<T> t) => t.Dimensions.ToArray().Select(d => (long)d).ToArray();
}
