using Warden.Contracts;

namespace Warden.Client;

/// <summary>Experiment calls.</summary>
public sealed partial class WardenClient
{
    /// <summary>POST /api/v1/experiments.</summary>
    public Task<ExperimentInfo> CreateExperimentAsync(CreateExperimentRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<ExperimentInfo>(HttpMethod.Post, "api/v1/experiments", request, cancellationToken);

    /// <summary>GET /api/v1/experiments.</summary>
    public Task<IReadOnlyList<ExperimentInfo>> ListExperimentsAsync(string? model = null, string? status = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        Add(query, "model", model);
        Add(query, "status", status);
        return GetAsync<IReadOnlyList<ExperimentInfo>>("api/v1/experiments" + (query.Count > 0 ? "?" + string.Join('&', query) : ""), cancellationToken);
    }

    /// <summary>GET /api/v1/experiments/{name}.</summary>
    public Task<ExperimentInfo> GetExperimentAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync<ExperimentInfo>($"api/v1/experiments/{E(name)}", cancellationToken);

    /// <summary>POST …/start.</summary>
    public Task<ExperimentInfo> StartExperimentAsync(string name, string reason, CancellationToken cancellationToken = default) =>
        SendAsync<ExperimentInfo>(HttpMethod.Post, $"api/v1/experiments/{E(name)}/start", new ExperimentTransitionRequest(reason), cancellationToken);

    /// <summary>POST …/stop.</summary>
    public Task<ExperimentInfo> StopExperimentAsync(string name, string reason, CancellationToken cancellationToken = default) =>
        SendAsync<ExperimentInfo>(HttpMethod.Post, $"api/v1/experiments/{E(name)}/stop", new ExperimentTransitionRequest(reason), cancellationToken);

    /// <summary>POST …/conclude.</summary>
    public Task<ExperimentInfo> ConcludeExperimentAsync(string name, string conclusion, CancellationToken cancellationToken = default) =>
        SendAsync<ExperimentInfo>(HttpMethod.Post, $"api/v1/experiments/{E(name)}/conclude", new ExperimentTransitionRequest(conclusion), cancellationToken);

    /// <summary>POST …/phases.</summary>
    public Task<ExperimentInfo> NewExperimentPhaseAsync(string name, NewPhaseRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<ExperimentInfo>(HttpMethod.Post, $"api/v1/experiments/{E(name)}/phases", request, cancellationToken);

    /// <summary>GET …/results.</summary>
    public Task<ExperimentResults> GetExperimentResultsAsync(string name, int? phase = null, CancellationToken cancellationToken = default) =>
        GetAsync<ExperimentResults>($"api/v1/experiments/{E(name)}/results" + (phase is null ? "" : $"?phase={phase}"), cancellationToken);

    /// <summary>GET …/timeline.</summary>
    public Task<IReadOnlyList<IntervalPoint>> GetExperimentTimelineAsync(string name, int points = 12, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<IntervalPoint>>($"api/v1/experiments/{E(name)}/timeline?points={points}", cancellationToken);

    /// <summary>GET …/allocations.</summary>
    public Task<IReadOnlyList<BanditAllocationRecord>> GetExperimentAllocationsAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<BanditAllocationRecord>>($"api/v1/experiments/{E(name)}/allocations", cancellationToken);

    /// <summary>POST …/evaluate.</summary>
    public Task<IReadOnlyList<ExperimentDecision>> EvaluateExperimentAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ExperimentDecision>>(HttpMethod.Post, $"api/v1/experiments/{E(name)}/evaluate", null, cancellationToken);

    /// <summary>POST …/off-policy: estimate a candidate policy from the logged decisions.</summary>
    public Task<OffPolicyResult> EvaluateOffPolicyAsync(string name, OffPolicyRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<OffPolicyResult>(HttpMethod.Post, $"api/v1/experiments/{E(name)}/off-policy", request, cancellationToken);

    /// <summary>POST /api/v1/experiments/power.</summary>
    public Task<PowerResult> PowerAnalysisAsync(PowerRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<PowerResult>(HttpMethod.Post, "api/v1/experiments/power", request, cancellationToken);

    /// <summary>GET /api/v1/promotions.</summary>
    public Task<IReadOnlyList<PromotionProposal>> ListPromotionProposalsAsync(string? status = null, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<PromotionProposal>>("api/v1/promotions" + (status is null ? "" : "?status=" + E(status)), cancellationToken);

    /// <summary>POST /api/v1/promotions/{id}/accept.</summary>
    public Task<PromotionProposal> AcceptPromotionAsync(string id, string comment, CancellationToken cancellationToken = default) =>
        SendAsync<PromotionProposal>(HttpMethod.Post, $"api/v1/promotions/{E(id)}/accept", new ProposalDecisionRequest(comment), cancellationToken);

    /// <summary>POST /api/v1/promotions/{id}/reject.</summary>
    public Task<PromotionProposal> RejectPromotionAsync(string id, string comment, CancellationToken cancellationToken = default) =>
        SendAsync<PromotionProposal>(HttpMethod.Post, $"api/v1/promotions/{E(id)}/reject", new ProposalDecisionRequest(comment), cancellationToken);
}
