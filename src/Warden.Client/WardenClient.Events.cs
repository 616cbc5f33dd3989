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
}
