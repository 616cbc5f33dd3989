using System.Text.Json;
using Warden.Contracts;

namespace Warden.Server.Experiments;

/// <summary>The parts of an experiment that never change once it is created, stored as one JSON document.</summary>
internal sealed record ExperimentDefinition(
    string UnitType,
    string HashAttribute,
    int HashVersion,
    IReadOnlyList<ExperimentMetric> Metrics,
    ExperimentNamespaceRange? Namespace,
    ExperimentHoldout? Holdout,
    double? Mde,
    double? Baseline,
    double? StandardDeviation,
    long? PlannedSampleSize,
    double Alpha,
    BanditSettings? Bandit,
    string? Hypothesis,
    double SequentialTuning,
    IReadOnlyList<string>? ContextFeatures = null)
{
    /// <summary>The logged context features (none for experiments created before they existed).</summary>
    public IReadOnlyList<string> Features => ContextFeatures ?? [];
}

/// <summary>A row of <c>experiments</c>.</summary>
internal sealed class ExperimentRow
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string ModelId { get; set; } = "";
    public string ModelName { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Status { get; set; } = "";
    public string Definition { get; set; } = "{}";
    public long Phase { get; set; }
    public long CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public string CreatedByName { get; set; } = "";
    public string CreatedByPerson { get; set; } = "";
    public long? StartedAt { get; set; }
    public long? StoppedAt { get; set; }
    public string? StopReason { get; set; }
    public long? ConcludedAt { get; set; }
    public string? Conclusion { get; set; }

    public ExperimentDefinition Parsed => JsonSerializer.Deserialize<ExperimentDefinition>(Definition, ExperimentJson.Options)!;

    public const string Columns =
        "e.id, e.name, e.model_id, m.name AS model_name, e.kind, e.status, e.definition, e.phase, e.created_at, e.created_by, e.created_by_name, " +
        "e.created_by_person, e.started_at, e.stopped_at, e.stop_reason, e.concluded_at, e.conclusion";

    public const string From = "FROM experiments e JOIN models m ON m.id = e.model_id";
}

/// <summary>A row of <c>experiment_phases</c>.</summary>
internal sealed class PhaseRow
{
    public string ExperimentId { get; set; } = "";
    public long Phase { get; set; }
    public long Epoch { get; set; }
    public long StartedAt { get; set; }
    public string Seed { get; set; } = "";
    public double Coverage { get; set; }
    public string Arms { get; set; } = "[]";
    public string Reason { get; set; } = "";
    public string ActorName { get; set; } = "";

    public IReadOnlyList<ExperimentArm> ParsedArms => JsonSerializer.Deserialize<List<ExperimentArm>>(Arms, ExperimentJson.Options)!;

    public ExperimentPhase ToContract() =>
        new((int)Phase, DateTimeOffset.FromUnixTimeMilliseconds(StartedAt), Seed, Coverage, ParsedArms, Phase > 1 && Epoch == Phase, Reason, ActorName);

    public const string Columns = "experiment_id, phase, epoch, started_at, seed, coverage, arms, reason, actor_name";
}

/// <summary>A row of <c>experiment_allocations</c>.</summary>
internal sealed class AllocationRow
{
    public string ExperimentId { get; set; } = "";
    public long Period { get; set; }
    public long At { get; set; }
    public string Weights { get; set; } = "[]";
    public string? ProbabilityBest { get; set; }
    public string Reason { get; set; } = "";

    public double[] ParsedWeights => JsonSerializer.Deserialize<double[]>(Weights, ExperimentJson.Options)!;
}

/// <summary>A row of <c>promotion_proposals</c>.</summary>
internal sealed class ProposalRow
{
    public string Id { get; set; } = "";
    public string ExperimentId { get; set; } = "";
    public string ExperimentName { get; set; } = "";
    public string ModelName { get; set; } = "";
    public long Version { get; set; }
    public string Alias { get; set; } = "";
    public string Status { get; set; } = "";
    public string Evidence { get; set; } = "";
    public long ProposedAt { get; set; }
    public string ProposedByName { get; set; } = "";
    public string ProposedByPerson { get; set; } = "";
    public long? DecidedAt { get; set; }
    public string? DecidedByName { get; set; }
    public string? Comment { get; set; }

    public PromotionProposal ToContract() => new(Id, ExperimentName, ModelName, (int)Version, Alias, Status, Evidence,
        DateTimeOffset.FromUnixTimeMilliseconds(ProposedAt), ProposedByName, DecidedAt is { } d ? DateTimeOffset.FromUnixTimeMilliseconds(d) : null,
        DecidedByName, Comment);

    public const string Select =
        "SELECT p.id, p.experiment_id, e.name AS experiment_name, m.name AS model_name, p.version, p.alias, p.status, p.evidence, p.proposed_at, " +
        "p.proposed_by_name, p.proposed_by_person, p.decided_at, p.decided_by_name, p.comment " +
        "FROM promotion_proposals p JOIN experiments e ON e.id = p.experiment_id JOIN models m ON m.id = e.model_id";
}

/// <summary>JSON settings for stored documents.</summary>
internal static class ExperimentJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);
}
