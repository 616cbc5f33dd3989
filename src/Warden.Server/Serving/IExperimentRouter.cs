using System.Text.Json;

namespace Warden.Server.Serving;

/// <summary>Where an experiment sends one unit: the loaded version of its arm, and what the prediction event records.</summary>
/// <param name="Version">The arm's version (approved, loaded, reached through <paramref name="Alias"/>).</param>
/// <param name="Alias">The alias the arm's version holds.</param>
/// <param name="Experiment">The experiment's name.</param>
/// <param name="Arm">The arm's name.</param>
/// <param name="Probability">The probability with which this arm was assigned (for off-policy evaluation).</param>
public sealed record ExperimentRoute(LoadedVersion Version, string Alias, string Experiment, string Arm, double Probability);

/// <summary>The serving hook of experiments: asked for requests that carry a unit id and name no alias. Answers from an
/// in-memory snapshot (never waits on the database); null means "no experiment covers this unit: use the traffic policy".</summary>
public interface IExperimentRouter
{
    /// <summary>The arm that serves <paramref name="unitId"/> of <paramref name="model"/>, or null; <paramref name="record"/> (the
    /// request's first record) is the context of a contextual bandit and of logged context features.</summary>
    ValueTask<ExperimentRoute?> RouteAsync(string model, string unitId, JsonElement record, CancellationToken cancellationToken);

    /// <summary>Called once per request served through <paramref name="route"/>, on the prediction path (must not block or
    /// allocate): its server-side latency, and whether it failed (got no predictions).</summary>
    void RecordServed(ExperimentRoute route, double latencyMs, bool failed);
}
