using System.Text.Json.Serialization;

namespace Warden.Statistics.Sketches;

// The persisted shapes of the sketches. Short property names keep the JSON compact; "v" is the format version.

internal sealed class KllState
{
    [JsonPropertyName("k")] public int K { get; init; }
    [JsonPropertyName("n")] public long Count { get; init; }
    [JsonPropertyName("min")] public double? Min { get; init; }
    [JsonPropertyName("max")] public double? Max { get; init; }
    [JsonPropertyName("levels")] public double[][]? Levels { get; init; }
    [JsonPropertyName("var")] public double Variance { get; init; }
    [JsonPropertyName("worst")] public double WorstCase { get; init; }
    [JsonPropertyName("rng")] public ulong Random { get; init; }
}

internal sealed class HistogramState
{
    [JsonPropertyName("edges")] public double[]? Edges { get; init; }
    [JsonPropertyName("counts")] public long[]? Counts { get; init; }
    [JsonPropertyName("under")] public long Underflow { get; init; }
    [JsonPropertyName("over")] public long Overflow { get; init; }
}

internal sealed class NumericProfileState
{
    [JsonPropertyName("v")] public int Version { get; init; }
    [JsonPropertyName("n")] public long Count { get; init; }
    [JsonPropertyName("missing")] public long Missing { get; init; }
    [JsonPropertyName("mean")] public double Mean { get; init; }
    [JsonPropertyName("m2")] public double M2 { get; init; }
    [JsonPropertyName("kll")] public KllState? Kll { get; init; }
    [JsonPropertyName("hist")] public HistogramState? Histogram { get; init; }
    [JsonPropertyName("values")] public double[]? DistinctValues { get; init; }
    [JsonPropertyName("valueCounts")] public long[]? DistinctCounts { get; init; }
}

internal sealed class CategoricalProfileState
{
    [JsonPropertyName("v")] public int Version { get; init; }
    [JsonPropertyName("k")] public int Capacity { get; init; }
    [JsonPropertyName("n")] public long Count { get; init; }
    [JsonPropertyName("missing")] public long Missing { get; init; }
    [JsonPropertyName("categories")] public string[]? Categories { get; init; }
    [JsonPropertyName("counts")] public long[]? Counts { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(NumericProfileState))]
[JsonSerializable(typeof(CategoricalProfileState))]
internal sealed partial class StatisticsJsonContext : JsonSerializerContext;
