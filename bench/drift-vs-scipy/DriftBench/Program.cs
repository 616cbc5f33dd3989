using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Warden.Statistics.Drift;

// DriftBench: the drift report of drift_scipy.py, in Warden.Statistics' exact mode (DriftAnalyzer.Numeric on raw
// samples), timed the same way (tests only; reading the files is excluded), then compared with SciPy's values.
//
//   dotnet run -c Release --project bench/drift-vs-scipy/DriftBench -- DIR SCIPY_JSON [--threads N]
//
// DIR holds reference.f64, current.f64 (column-major little-endian float64) and meta.json; SCIPY_JSON is the output
// of drift_scipy.py. Two timings: one column after another on one thread (the like-for-like comparison with SciPy,
// which runs on one thread), and the columns spread over N threads (default: all cores).
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: DriftBench DIR SCIPY_JSON [--threads N]");
    return 2;
}

var dir = args[0];
var threads = args.Length >= 4 && args[2] == "--threads" ? int.Parse(args[3]) : Environment.ProcessorCount;
var meta = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "meta.json")))!;
var rows = (int)meta["rows"]!;
var cols = (int)meta["cols"]!;
var reference = ReadColumns(Path.Combine(dir, "reference.f64"), rows, cols);
var current = ReadColumns(Path.Combine(dir, "current.f64"), rows, cols);
var scipy = JsonNode.Parse(File.ReadAllText(args[1]))!;

// JIT warm-up on a slice, so that the timing measures the maths rather than compilation.
Report(reference[0].AsSpan(0, 20_000).ToArray(), current[0].AsSpan(0, 20_000).ToArray());
ReportOnRawSamples(reference[0].AsSpan(0, 20_000).ToArray(), current[0].AsSpan(0, 20_000).ToArray());

// 1. The raw-sample API, three calls per column as a caller would write them: each call sorts both samples again.
var raw = new ColumnReport[cols];
var clock = Stopwatch.StartNew();
for (var j = 0; j < cols; j++)
{
    raw[j] = ReportOnRawSamples(reference[j], current[j]);
}

var rawSeconds = clock.Elapsed.TotalSeconds;

// 2. A drift report as the product runs it: each sample sorted once (SortedSample), then the three tests.
var sequential = new ColumnReport[cols];
clock.Restart();
for (var j = 0; j < cols; j++)
{
    sequential[j] = Report(reference[j], current[j]);
}

var sequentialSeconds = clock.Elapsed.TotalSeconds;

// 3. The same, columns spread over the threads.
var parallel = new ColumnReport[cols];
clock.Restart();
Parallel.For(0, cols, new ParallelOptions { MaxDegreeOfParallelism = threads }, j => parallel[j] = Report(reference[j], current[j]));
var parallelSeconds = clock.Elapsed.TotalSeconds;

double maxKs = 0, maxP = 0, maxW = 0, maxJs = 0;
var columns = new JsonArray();
for (var j = 0; j < cols; j++)
{
    var s = scipy["columns"]![j]!;
    var r = sequential[j];
    if (r != parallel[j] || r != raw[j])
    {
        throw new InvalidOperationException($"Column {j}: the three runs disagree.");
    }

    maxKs = Math.Max(maxKs, Math.Abs(r.KsStatistic - (double)s["ks_statistic"]!));
    maxP = Math.Max(maxP, Math.Abs(r.KsPValue - (double)s["ks_pvalue"]!));
    maxW = Math.Max(maxW, Math.Abs(r.Wasserstein - (double)s["wasserstein"]!));
    maxJs = Math.Max(maxJs, Math.Abs(r.JensenShannon - (double)s["jensenshannon"]!));
    columns.Add(new JsonObject
    {
        ["column"] = j,
        ["ks_statistic"] = r.KsStatistic,
        ["ks_pvalue"] = r.KsPValue,
        ["wasserstein"] = r.Wasserstein,
        ["jensenshannon"] = r.JensenShannon,
    });
}

var scipySeconds = (double)scipy["seconds"]!;
var maxDifference = new[] { maxKs, maxP, maxW, maxJs }.Max();
var result = new JsonObject
{
    ["engine"] = "Warden.Statistics exact mode",
    ["rows"] = rows,
    ["cols"] = cols,
    ["cores"] = Environment.ProcessorCount,
    ["threads"] = threads,
    ["seconds_raw_api_one_thread"] = rawSeconds,
    ["seconds_one_thread"] = sequentialSeconds,
    ["seconds_parallel"] = parallelSeconds,
    ["scipy_seconds"] = scipySeconds,
    ["speedup_raw_api_one_thread"] = scipySeconds / rawSeconds,
    ["speedup_one_thread"] = scipySeconds / sequentialSeconds,
    ["speedup_parallel"] = scipySeconds / parallelSeconds,
    ["max_abs_difference"] = new JsonObject
    {
        ["ks_statistic"] = maxKs,
        ["ks_pvalue"] = maxP,
        ["wasserstein"] = maxW,
        ["jensenshannon"] = maxJs,
        ["all"] = maxDifference,
    },
    ["columns"] = columns,
};
Console.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
Console.Error.WriteLine(
    $"Warden: raw-sample API {rawSeconds:F2} s on one thread ({scipySeconds / rawSeconds:F1}x); sorted once " +
    $"{sequentialSeconds:F2} s on one thread ({scipySeconds / sequentialSeconds:F1}x SciPy's {scipySeconds:F2} s), " +
    $"{parallelSeconds:F2} s on {threads} threads ({scipySeconds / parallelSeconds:F1}x); max |difference| {maxDifference:E2}");
return maxDifference <= 1e-9 ? 0 : 1;

static ColumnReport Report(double[] rawReference, double[] rawCurrent)
{
    var reference = SortedSample.From(rawReference);
    var current = SortedSample.From(rawCurrent);
    var ks = DriftAnalyzer.Numeric("x", reference, current, new FeatureDriftOptions { Method = DriftMethod.KolmogorovSmirnov });
    var w = DriftAnalyzer.Numeric("x", reference, current, new FeatureDriftOptions { Method = DriftMethod.Wasserstein });
    var js = DriftAnalyzer.Numeric("x", reference, current, new FeatureDriftOptions { Method = DriftMethod.JensenShannon, Bins = 10 });
    return new ColumnReport(ks.Statistic, ks.PValue!.Value, w.Statistic, js.Statistic);
}

static ColumnReport ReportOnRawSamples(double[] reference, double[] current)
{
    var ks = DriftAnalyzer.Numeric("x", reference, current, new FeatureDriftOptions { Method = DriftMethod.KolmogorovSmirnov });
    var w = DriftAnalyzer.Numeric("x", reference, current, new FeatureDriftOptions { Method = DriftMethod.Wasserstein });
    var js = DriftAnalyzer.Numeric("x", reference, current, new FeatureDriftOptions { Method = DriftMethod.JensenShannon, Bins = 10 });
    return new ColumnReport(ks.Statistic, ks.PValue!.Value, w.Statistic, js.Statistic);
}

static double[][] ReadColumns(string path, int rows, int cols)
{
    var bytes = File.ReadAllBytes(path);
    if (bytes.Length != (long)rows * cols * sizeof(double))
    {
        throw new InvalidDataException($"{path} holds {bytes.Length} bytes; expected {rows} x {cols} float64.");
    }

    var all = MemoryMarshal.Cast<byte, double>(bytes);
    var columns = new double[cols][];
    for (var j = 0; j < cols; j++)
    {
        columns[j] = all.Slice(j * rows, rows).ToArray();
    }

    return columns;
}

internal sealed record ColumnReport(double KsStatistic, double KsPValue, double Wasserstein, double JensenShannon);
