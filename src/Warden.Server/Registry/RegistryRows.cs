using System.Text.Json;
using Warden.Contracts;

namespace Warden.Server.Registry;

/// <summary>Rows of the registry tables as stored (times in Unix ms, documents as JSON text).</summary>
internal sealed class ModelRow
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Owner { get; set; } = "";
    public string? Description { get; set; }
    public string? BusinessPurpose { get; set; }
    public long RiskTier { get; set; }
    public string Task { get; set; } = "";
    public string SensitiveAttributes { get; set; } = "[]";
    public string Tags { get; set; } = "[]";
    public string MetricThresholds { get; set; } = "[]";
    public long CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public long VersionCount { get; set; }
    public long? LatestVersion { get; set; }
    public string? LatestState { get; set; }

    public int Tier => (int)RiskTier;

    public IReadOnlyList<SensitiveAttribute> Sensitive => RegistryJson.Read<List<SensitiveAttribute>>(SensitiveAttributes) ?? [];

    public IReadOnlyList<MetricThreshold> Thresholds => RegistryJson.Read<List<MetricThreshold>>(MetricThresholds) ?? [];
}

internal sealed class VersionRow
{
    public string Id { get; set; } = "";
    public string ModelId { get; set; } = "";
    public string ModelName { get; set; } = "";
    public long RiskTier { get; set; }
    public string ModelTask { get; set; } = "";
    public long Version { get; set; }
    public string State { get; set; } = "";
    public string ArtifactSha256 { get; set; } = "";
    public string Format { get; set; } = "";
    public long ArtifactBytes { get; set; }
    public string Signature { get; set; } = "{}";
    public string? LabelColumn { get; set; }
    public string Lineage { get; set; } = "{}";
    public string Card { get; set; } = "{}";
    public string DataClassification { get; set; } = "[]";
    public long CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public string CreatedByName { get; set; } = "";
    public string CreatedByPerson { get; set; } = "";
    public long? SubmittedAt { get; set; }
    public long? ReviewDueAt { get; set; }

    public int Number => (int)Version;

    public ModelSignature ParsedSignature => RegistryJson.Read<ModelSignature>(Signature) ?? new ModelSignature("", [], [], []);

    public ModelCard ParsedCard => RegistryJson.Read<ModelCard>(Card) ?? new ModelCard();

    public IReadOnlyList<FeatureClassification> Classification => RegistryJson.Read<List<FeatureClassification>>(DataClassification) ?? [];
}

internal sealed class SignOffRow
{
    public string VersionId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string ActorKeyId { get; set; } = "";
    public string ActorName { get; set; } = "";
    public string Person { get; set; } = "";
    public string Comment { get; set; } = "";
    public long At { get; set; }

    public SignOff ToContract() => new(Kind, ActorKeyId, ActorName, Person, Comment, DateTimeOffset.FromUnixTimeMilliseconds(At));
}

internal sealed class ValidationRunRow
{
    public string Id { get; set; } = "";
    public long Version { get; set; }
    public long At { get; set; }
    public string ActorKeyId { get; set; } = "";
    public string ActorName { get; set; } = "";
    public string Dataset { get; set; } = "{}";
    public string LabelColumn { get; set; } = "";
    public string? PositiveLabel { get; set; }
    public string Metrics { get; set; } = "{}";
    public string? Confusion { get; set; }
    public string Fairness { get; set; } = "[]";

    public ValidationRunInfo ToContract() => new(
        Id, (int)Version, DateTimeOffset.FromUnixTimeMilliseconds(At), ActorKeyId, ActorName,
        RegistryJson.Read<DataFingerprint>(Dataset)!, LabelColumn, PositiveLabel,
        RegistryJson.Read<Dictionary<string, double>>(Metrics) ?? [],
        Confusion is null ? null : RegistryJson.Read<List<List<long>>>(Confusion),
        RegistryJson.Read<List<FairnessResult>>(Fairness) ?? []);
}

/// <summary>JSON for stored documents: web defaults, NaN allowed (a metric can be undefined).</summary>
internal static class RegistryJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T? Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Options);
}
