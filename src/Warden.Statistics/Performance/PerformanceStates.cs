using System.Text.Json.Serialization;

namespace Warden.Statistics.Performance;

// The persisted shapes of the performance windows. "v" is the format version; compensated sums are [sum, error].

internal sealed class ClassificationWindowState
{
    [JsonPropertyName("v")] public int Version { get; init; }
    [JsonPropertyName("threshold")] public double Threshold { get; init; }
    [JsonPropertyName("cap")] public int ExactCapacity { get; init; }
    [JsonPropertyName("aucBins")] public int AucBins { get; init; }
    [JsonPropertyName("n")] public long Count { get; init; }
    [JsonPropertyName("tp")] public long TruePositives { get; init; }
    [JsonPropertyName("fp")] public long FalsePositives { get; init; }
    [JsonPropertyName("tn")] public long TrueNegatives { get; init; }
    [JsonPropertyName("fn")] public long FalseNegatives { get; init; }
    [JsonPropertyName("logLoss")] public double[]? LogLoss { get; init; }
    [JsonPropertyName("brier")] public double[]? Brier { get; init; }
    [JsonPropertyName("calCounts")] public long[]? CalibrationCounts { get; init; }
    [JsonPropertyName("calPositives")] public long[]? CalibrationPositives { get; init; }
    [JsonPropertyName("calScores")] public double[]? CalibrationScores { get; init; }
    [JsonPropertyName("pos")] public double[]? PositiveScores { get; init; }
    [JsonPropertyName("neg")] public double[]? NegativeScores { get; init; }
    [JsonPropertyName("posBins")] public long[]? PositiveBins { get; init; }
    [JsonPropertyName("negBins")] public long[]? NegativeBins { get; init; }
}

internal sealed class RegressionWindowState
{
    [JsonPropertyName("v")] public int Version { get; init; }
    [JsonPropertyName("n")] public long Count { get; init; }
    [JsonPropertyName("absError")] public double[]? AbsoluteError { get; init; }
    [JsonPropertyName("sqError")] public double[]? SquaredError { get; init; }
    [JsonPropertyName("pctError")] public double[]? PercentageError { get; init; }
    [JsonPropertyName("mean")] public double Mean { get; init; }
    [JsonPropertyName("m2")] public double M2 { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClassificationWindowState))]
[JsonSerializable(typeof(RegressionWindowState))]
internal sealed partial class PerformanceJsonContext : JsonSerializerContext;
