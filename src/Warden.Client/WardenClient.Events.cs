using System.Net.Http.Headers;
using Warden.Contracts;

namespace Warden.Client;

/// <summary>Event ingestion and performance calls.</summary>
public sealed partial class WardenClient
{
    /// <summary>POST /api/v1/events with a JSON array; returns once the accepted events are durable.</summary>
    public Task<IngestResult> IngestEventsAsync(IReadOnlyList<IngestEvent> events, CancellationToken cancellationToken = default) =>
        SendAsync<IngestResult>(HttpMethod.Post, "api/v1/events", events, cancellationToken);

    /// <summary>POST /api/v1/events with JSON lines (one event per line, application/x-ndjson).</summary>
    public async Task<IngestResult> IngestEventLinesAsync(string jsonLines, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent(jsonLines);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var response = await _http.PostAsync("api/v1/events", content, cancellationToken);
        return await ReadAsync<IngestResult>(response, cancellationToken);
    }

    /// <summary>GET …/performance: performance per window (optionally merged into spans such as "1d").</summary>
    public Task<PerformanceReport> GetPerformanceAsync(string model, int version, string? window = null, CancellationToken cancellationToken = default) =>
        GetAsync<PerformanceReport>($"{V(model, version)}/performance" + (window is null ? "" : "?window=" + E(window)), cancellationToken);

    /// <summary>GET …/fairness: fairness per window on each sensitive attribute.</summary>
    public Task<FairnessTimeline> GetFairnessAsync(string model, int version, string? window = null, CancellationToken cancellationToken = default) =>
        GetAsync<FairnessTimeline>($"{V(model, version)}/fairness" + (window is null ? "" : "?window=" + E(window)), cancellationToken);
}

/// <summary>Alert calls.</summary>
public sealed partial class WardenClient
{
    /// <summary>POST /api/v1/alert-rules.</summary>
    public Task<AlertRule> CreateAlertRuleAsync(AlertRuleRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<AlertRule>(HttpMethod.Post, "api/v1/alert-rules", request, cancellationToken);

    /// <summary>GET /api/v1/alert-rules.</summary>
    public Task<IReadOnlyList<AlertRule>> ListAlertRulesAsync(string? model = null, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<AlertRule>>("api/v1/alert-rules" + (model is null ? "" : "?model=" + E(model)), cancellationToken);

    /// <summary>DELETE /api/v1/alert-rules/{id}.</summary>
    public async Task DeleteAlertRuleAsync(string id, CancellationToken cancellationToken = default)
    {
        using var response = await _http.DeleteAsync($"api/v1/alert-rules/{E(id)}", cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await WardenApiException.FromResponseAsync(response, cancellationToken);
        }
    }

    /// <summary>GET /api/v1/alerts.</summary>
    public Task<IReadOnlyList<Alert>> ListAlertsAsync(string? state = null, string? model = null, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<Alert>>("api/v1/alerts?" + (state is null ? "" : "state=" + E(state) + "&") + (model is null ? "" : "model=" + E(model)), cancellationToken);

    /// <summary>GET /api/v1/alerts/{id}.</summary>
    public Task<Alert> GetAlertAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<Alert>($"api/v1/alerts/{E(id)}", cancellationToken);

    /// <summary>POST /api/v1/alerts/{id}/acknowledge.</summary>
    public Task<Alert> AcknowledgeAlertAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<Alert>(HttpMethod.Post, $"api/v1/alerts/{E(id)}/acknowledge", null, cancellationToken);

    /// <summary>POST /api/v1/alerts/{id}/resolve.</summary>
    public Task<Alert> ResolveAlertAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync<Alert>(HttpMethod.Post, $"api/v1/alerts/{E(id)}/resolve", null, cancellationToken);

    /// <summary>POST /api/v1/alerts/evaluate: evaluate every rule now.</summary>
    public Task<AlertEvaluation> EvaluateAlertsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<AlertEvaluation>(HttpMethod.Post, "api/v1/alerts/evaluate", null, cancellationToken);
}
