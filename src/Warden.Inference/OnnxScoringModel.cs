using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Warden.Contracts;

namespace Warden.Inference;

/// <summary>An ONNX model run by ONNX Runtime. Tabular conventions: either one input per feature (shape [N] or [N,1]),
/// or one numeric input of shape [N, d] whose d feature names come from the declared signature (f0…f(d-1) otherwise).
/// The score is read from the first float output: column 1 of an [N, 2] output (class probabilities), else the value per row.</summary>
internal sealed class OnnxScoringModel : IScoringModel, ITensorModel
{
    private readonly InferenceSession _session;
    private readonly bool _vectorInput;
    private readonly string? _scoreOutput;
    private readonly RunOptions _runOptions = new(); // read-only after creation, so concurrent runs share it

    public OnnxScoringModel(byte[] artifact, IReadOnlyList<FeatureSpec>? declared, SessionOptions? options = null)
    {
        try
        {
            _session = options is null ? new InferenceSession(artifact) : new InferenceSession(artifact, options);
        }
        catch (Exception e) when (e is OnnxRuntimeException or InvalidOperationException or ArgumentException)
        {
            _runOptions.Dispose();
            throw new ModelArtifactException($"the artifact is neither an ML.NET zip nor a loadable ONNX model ({FirstLine(e.Message)})", e);
        }

        try
        {
            var inputs = _session.InputMetadata.Select(kv => Spec(kv.Key, kv.Value)).ToList();
            var outputs = _session.OutputMetadata.Select(kv => Spec(kv.Key, kv.Value)).ToList();
            List<FeatureSpec> features;
            if (inputs.Count == 1 && inputs[0].Shape.Count == 2 && inputs[0].Shape[1] > 1 && ModelRuntime.KindOf(inputs[0].ElementType) == FeatureKinds.Numeric)
            {
                _vectorInput = true;
                var width = (int)inputs[0].Shape[1];
                if (declared is { Count: > 0 })
                {
                    if (declared.Count != width)
                    {
                        throw new ModelArtifactException($"the declared signature names {declared.Count} features but the model's input '{inputs[0].Name}' takes {width}");
                    }

                    var wrong = declared.FirstOrDefault(d => d.Kind != FeatureKinds.Numeric);
                    if (wrong is not null)
                    {
                        throw new ModelArtifactException($"feature '{wrong.Name}' is declared {wrong.Kind} but the model's input '{inputs[0].Name}' is {inputs[0].ElementType}");
                    }

                    features = declared.Select(d => new FeatureSpec(d.Name, FeatureKinds.Numeric, inputs[0].ElementType)).ToList();
                }
                else
                {
                    features = Enumerable.Range(0, width).Select(i => new FeatureSpec($"f{i}", FeatureKinds.Numeric, inputs[0].ElementType)).ToList();
                }
            }
            else if (inputs.All(i => i.Shape.Count is 1 or 2 && (i.Shape.Count == 1 || i.Shape[1] == 1)))
            {
                features = inputs.Select(i => new FeatureSpec(i.Name, ModelRuntime.KindOf(i.ElementType), i.ElementType)).ToList();
                ModelRuntime.CheckDeclared(features, declared);
                if (declared is { Count: > 0 })
                {
                    var kinds = declared.ToDictionary(d => d.Name, d => d.Kind, StringComparer.Ordinal);
                    features = features.Select(f => f with { Kind = kinds[f.Name] }).ToList();
                }
            }
            else
            {
                features = [];
            }

            Signature = new ModelSignature(ModelRuntime.Onnx, inputs, outputs, features);
            _scoreOutput = outputs.FirstOrDefault(o => o.ElementType is "float32" or "float64")?.Name;
        }
        catch
        {
            _session.Dispose();
            _runOptions.Dispose();
            throw;
        }
    }

    public ModelSignature Signature { get; }

    public double[] Score(CsvTable data)
    {
        var n = data.Rows.Count;
        if (_vectorInput && Signature.Inputs[0].ElementType == "float32")
        {
            return ScoreVector(data, n);
        }

        var inputs = new List<NamedOnnxValue>();
        if (_vectorInput)
        {
            var input = Signature.Inputs[0];
            var width = Signature.Features.Count;
            var values = new float[n * width];
            for (var j = 0; j < width; j++)
            {
                var column = data.Column(Signature.Features[j].Name);
                for (var r = 0; r < n; r++)
                {
                    values[(r * width) + j] = (float)ModelRuntime.ParseNumber(column[r], r, Signature.Features[j].Name);
                }
            }

            inputs.Add(input.ElementType == "float64"
                ? NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<double>(values.Select(v => (double)v).ToArray(), [n, width]))
                : NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<float>(values, [n, width])));
        }
        else
        {
            foreach (var input in Signature.Inputs)
            {
                if (!data.Has(input.Name))
                {
                    throw new ScoringException($"the data lacks the model input '{input.Name}'");
                }

                var column = data.Column(input.Name);
                int[] shape = input.Shape.Count == 1 ? [n] : [n, 1];
                inputs.Add(input.ElementType switch
                {
                    "string" => NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<string>(column, shape)),
                    "bool" => NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<bool>(column.Select((v, r) => ModelRuntime.ParseBool(v, r, input.Name)).ToArray(), shape)),
                    "float64" => NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<double>(column.Select((v, r) => ModelRuntime.ParseNumber(v, r, input.Name)).ToArray(), shape)),
                    "int64" => NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<long>(column.Select((v, r) => (long)ModelRuntime.ParseNumber(v, r, input.Name)).ToArray(), shape)),
                    "int32" => NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<int>(column.Select((v, r) => (int)ModelRuntime.ParseNumber(v, r, input.Name)).ToArray(), shape)),
                    _ => NamedOnnxValue.CreateFromTensor(input.Name, new DenseTensor<float>(column.Select((v, r) => (float)ModelRuntime.ParseNumber(v, r, input.Name)).ToArray(), shape)),
                });
            }
        }

        try
        {
            using var results = _session.Run(inputs);
            foreach (var result in results)
            {
                if (result.Value is Tensor<float> floats)
                {
                    return Read(floats.ToArray().Select(v => (double)v).ToArray(), floats.Dimensions.ToArray(), n);
                }

                if (result.Value is Tensor<double> doubles)
                {
                    return Read(doubles.ToArray(), doubles.Dimensions.ToArray(), n);
                }
            }

            foreach (var result in results)
            {
                if (result.Value is Tensor<long> labels)
                {
                    return labels.ToArray().Select(v => (double)v).ToArray();
                }
            }
        }
        catch (OnnxRuntimeException e)
        {
            throw new ScoringException($"the model could not score the data: {FirstLine(e.Message)}", e);
        }

        throw new ScoringException("the model has no numeric tensor output to read a score from");
    }

    /// <summary>The hot path for the common tabular model (one float32 [N, d] input): the OrtValue API over a pinned
    /// managed buffer, no intermediate tensors.</summary>
    private double[] ScoreVector(CsvTable data, int n)
    {
        var width = Signature.Features.Count;
        var values = new float[n * width];
        var rows = data.Rows;
        for (var j = 0; j < width; j++)
        {
            var name = Signature.Features[j].Name;
            var at = data.IndexOf(name);
            for (var r = 0; r < n; r++)
            {
                values[(r * width) + j] = (float)ModelRuntime.ParseNumber(rows[r][at], r, name);
            }
        }

        try
        {
            using var input = OrtValue.CreateTensorValueFromMemory(values, [n, width]);
            using var outputs = _session.Run(_runOptions, [Signature.Inputs[0].Name], [input], [_scoreOutput ?? _session.OutputNames[0]]);
            var output = outputs[0];
            var shape = output.GetTensorTypeAndShape().Shape;
            var result = new double[n];
            if (output.GetTensorTypeAndShape().ElementDataType == TensorElementType.Float)
            {
                var span = output.GetTensorDataAsSpan<float>();
                var stride = shape.Length == 2 && shape[1] == 2 ? 2 : Math.Max(1, span.Length / Math.Max(1, n));
                var offset = shape.Length == 2 && shape[1] == 2 ? 1 : 0;
                for (var r = 0; r < n; r++)
                {
                    result[r] = span[(r * stride) + offset];
                }
            }
            else
            {
                var span = output.GetTensorDataAsSpan<double>();
                var stride = shape.Length == 2 && shape[1] == 2 ? 2 : Math.Max(1, span.Length / Math.Max(1, n));
                var offset = shape.Length == 2 && shape[1] == 2 ? 1 : 0;
                for (var r = 0; r < n; r++)
                {
                    result[r] = span[(r * stride) + offset];
                }
            }

            return result;
        }
        catch (OnnxRuntimeException e)
        {
            throw new ScoringException($"the model could not score the data: {FirstLine(e.Message)}", e);
        }
    }

    /// <summary>Raw tensor inference on the OrtValue API: managed arrays are pinned as ONNX Runtime tensors without copying
    /// (strings are copied into native string tensors), and outputs are read from the native buffers.</summary>
    public IReadOnlyList<TensorData> Run(IReadOnlyList<TensorData> inputs, IReadOnlyCollection<string>? outputs)
    {
        var values = new List<OrtValue>(inputs.Count);
        try
        {
            foreach (var input in inputs)
            {
                values.Add(ToOrtValue(input));
            }

            var names = outputs?.ToArray() ?? _session.OutputNames.ToArray();
            using var runOptions = new RunOptions();
            using var results = _session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), values, names);
            return results.Select((value, i) => FromOrtValue(names[i], value)).ToList();
        }
        catch (OnnxRuntimeException e)
        {
            throw new ScoringException($"the model rejected the inputs: {FirstLine(e.Message)}", e);
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    private static OrtValue ToOrtValue(TensorData t) => t.Datatype switch
    {
        "FP32" => OrtValue.CreateTensorValueFromMemory((float[])t.Data, t.Shape),
        "FP64" => OrtValue.CreateTensorValueFromMemory((double[])t.Data, t.Shape),
        "FP16" => OrtValue.CreateTensorValueFromMemory(((float[])t.Data).Select(v => (Float16)v).ToArray(), t.Shape),
        "INT64" => OrtValue.CreateTensorValueFromMemory((long[])t.Data, t.Shape),
        "INT32" => OrtValue.CreateTensorValueFromMemory((int[])t.Data, t.Shape),
        "INT16" => OrtValue.CreateTensorValueFromMemory((short[])t.Data, t.Shape),
        "INT8" => OrtValue.CreateTensorValueFromMemory((sbyte[])t.Data, t.Shape),
        "UINT8" => OrtValue.CreateTensorValueFromMemory((byte[])t.Data, t.Shape),
        "UINT16" => OrtValue.CreateTensorValueFromMemory((ushort[])t.Data, t.Shape),
        "UINT32" => OrtValue.CreateTensorValueFromMemory((uint[])t.Data, t.Shape),
        "UINT64" => OrtValue.CreateTensorValueFromMemory((ulong[])t.Data, t.Shape),
        "BOOL" => OrtValue.CreateTensorValueFromMemory((bool[])t.Data, t.Shape),
        "BYTES" => Strings((string[])t.Data, t.Shape),
        _ => throw new ScoringException($"datatype {t.Datatype} is not supported"),
    };

    private static OrtValue Strings(string[] data, long[] shape)
    {
        var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
        for (var i = 0; i < data.Length; i++)
        {
            value.StringTensorSetElementAt(data[i].AsSpan(), i);
        }

        return value;
    }

    private static TensorData FromOrtValue(string name, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        return info.ElementDataType switch
        {
            TensorElementType.Float => new(name, "FP32", shape, value.GetTensorDataAsSpan<float>().ToArray()),
            TensorElementType.Double => new(name, "FP64", shape, value.GetTensorDataAsSpan<double>().ToArray()),
            TensorElementType.Float16 => new(name, "FP16", shape, value.GetTensorDataAsSpan<Float16>().ToArray().Select(v => (float)v).ToArray()),
            TensorElementType.Int64 => new(name, "INT64", shape, value.GetTensorDataAsSpan<long>().ToArray()),
            TensorElementType.Int32 => new(name, "INT32", shape, value.GetTensorDataAsSpan<int>().ToArray()),
            TensorElementType.Int16 => new(name, "INT16", shape, value.GetTensorDataAsSpan<short>().ToArray()),
            TensorElementType.Int8 => new(name, "INT8", shape, value.GetTensorDataAsSpan<sbyte>().ToArray()),
            TensorElementType.UInt8 => new(name, "UINT8", shape, value.GetTensorDataAsSpan<byte>().ToArray()),
            TensorElementType.UInt16 => new(name, "UINT16", shape, value.GetTensorDataAsSpan<ushort>().ToArray()),
            TensorElementType.UInt32 => new(name, "UINT32", shape, value.GetTensorDataAsSpan<uint>().ToArray()),
            TensorElementType.UInt64 => new(name, "UINT64", shape, value.GetTensorDataAsSpan<ulong>().ToArray()),
            TensorElementType.Bool => new(name, "BOOL", shape, value.GetTensorDataAsSpan<bool>().ToArray()),
            TensorElementType.String => new(name, "BYTES", shape, Enumerable.Range(0, (int)info.ElementCount).Select(i => value.GetStringElement(i)).ToArray()),
            _ => throw new ScoringException($"output '{name}' has element type {info.ElementDataType}, which Warden cannot return"),
        };
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }

    private static double[] Read(double[] values, int[] dimensions, int n)
    {
        if (dimensions.Length == 2 && dimensions[1] == 2)
        {
            return Enumerable.Range(0, n).Select(r => values[(r * 2) + 1]).ToArray();
        }

        var stride = values.Length / Math.Max(1, n);
        return Enumerable.Range(0, n).Select(r => values[r * stride]).ToArray();
    }

    private static TensorSpec Spec(string name, NodeMetadata metadata) => new(
        name,
        metadata.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR ? TypeName(metadata.ElementDataType) : metadata.OnnxValueType.ToString().ToLowerInvariant(),
        metadata.Dimensions.Select(d => (long)d).ToArray());

    private static string TypeName(TensorElementType type) => type switch
    {
        TensorElementType.Float => "float32",
        TensorElementType.Double => "float64",
        TensorElementType.Int64 => "int64",
        TensorElementType.Int32 => "int32",
        TensorElementType.Int16 => "int16",
        TensorElementType.Int8 => "int8",
        TensorElementType.UInt8 => "uint8",
        TensorElementType.UInt16 => "uint16",
        TensorElementType.UInt32 => "uint32",
        TensorElementType.UInt64 => "uint64",
        TensorElementType.Bool => "bool",
        TensorElementType.String => "string",
        TensorElementType.Float16 => "float16",
        TensorElementType.BFloat16 => "bfloat16",
        _ => type.ToString().ToLowerInvariant(),
    };

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
