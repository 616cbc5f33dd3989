using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Warden.Benchmarks;

/// <summary>Contender (e) of the serving benchmark (bench/serving): the serving model — a 20-feature logistic
/// regression, bench/serving/model.onnx — run in-process by ONNX Runtime for a batch of one, without HTTP, JSON or
/// governance. Sessions use one intra-op and one inter-op thread, as Warden's serving default (Serving:IntraOpThreads = 1).
/// The model is found through SERVING_BENCH_MODEL or by walking up from the working directory to bench/serving/model.onnx;
/// the record is the one in body-tabular.json beside it.</summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class OnnxRuntimeBenchmarks
{
    private const int Features = 20;
    private readonly float[] _record = new float[Features];
    private readonly float[] _probability = new float[1];
    private readonly double[] _weights = new double[Features];
    private double _bias;
    private InferenceSession _session = null!;
    private RunOptions _runOptions = null!;
    private OrtValue _input = null!;
    private OrtValue _output = null!;
    private string[] _inputNames = [];
    private string[] _outputNames = [];
    private OrtValue[] _inputs = [];
    private OrtValue[] _outputs = [];

    [GlobalSetup]
    public void Setup()
    {
        var path = FindModel();
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        _session = new InferenceSession(path, options);
        _runOptions = new RunOptions();
        _inputNames = [_session.InputMetadata.Keys.Single()];
        _outputNames = [_session.OutputMetadata.Keys.Single()];
        if (_inputNames[0] != "features" || _outputNames[0] != "probability")
        {
            throw new InvalidOperationException($"{path}: expected input 'features' and output 'probability', found '{_inputNames[0]}' and '{_outputNames[0]}'");
        }

        // The record of bench/serving/body-tabular.json, and model.json's weights for the plain C# reference.
        var folder = Path.GetDirectoryName(path)!;
        using (var body = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "body-tabular.json"))))
        using (var model = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "model.json"))))
        {
            var record = body.RootElement.GetProperty("records")[0];
            var coefficients = model.RootElement.GetProperty("coefficients");
            for (var i = 0; i < Features; i++)
            {
                _record[i] = (float)record.GetProperty($"f{i}").GetDouble();
                _weights[i] = coefficients[i].GetDouble();
            }

            _bias = model.RootElement.GetProperty("intercept").GetDouble();
        }

        _input = OrtValue.CreateTensorValueFromMemory(_record, [1, Features]);
        _output = OrtValue.CreateTensorValueFromMemory(_probability, [1, 1]);
        (_inputs, _outputs) = ([_input], [_output]);
        var expected = PlainCSharp();
        if (Math.Abs(RunPreBound() - expected) > 1e-5 || Math.Abs(RunNamedOnnxValue() - expected) > 1e-5)
        {
            throw new InvalidOperationException($"ONNX Runtime and the C# reference disagree: {RunPreBound()} vs {expected}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _input.Dispose();
        _output.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    /// <summary>The runtime's floor: pre-bound input and output OrtValues, no allocation per call.</summary>
    [Benchmark(Baseline = true, Description = "ORT Run, OrtValue in/out pre-bound (batch 1)")]
    public float RunPreBound()
    {
        _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);
        return _probability[0];
    }

    /// <summary>The convenience API a server typically uses (and Warden's scoring path): a DenseTensor wrapped in a
    /// NamedOnnxValue per call, results returned as a disposable collection.</summary>
    [Benchmark(Description = "ORT Run, NamedOnnxValue + DenseTensor per call (batch 1)")]
    public float RunNamedOnnxValue()
    {
        var tensor = new DenseTensor<float>(_record.AsMemory(), [1, Features]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputNames[0], tensor)]);
        return results[0].AsTensor<float>()[0, 0];
    }

    /// <summary>What the bare endpoint (c) computes instead of calling a runtime: sigmoid(w·x + b) in C#.</summary>
    [Benchmark(Description = "C# dot product + sigmoid (the bare endpoint's compute)")]
    public double PlainCSharp()
    {
        var logit = _bias;
        for (var i = 0; i < Features; i++)
        {
            logit += _weights[i] * _record[i];
        }

        return 1.0 / (1.0 + Math.Exp(-logit));
    }

    private static string FindModel()
    {
        if (Environment.GetEnvironmentVariable("SERVING_BENCH_MODEL") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : throw new FileNotFoundException($"SERVING_BENCH_MODEL names {configured}, which does not exist");
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "bench", "serving", "model.onnx");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException("bench/serving/model.onnx not found above the working directory; set SERVING_BENCH_MODEL");
    }
}
