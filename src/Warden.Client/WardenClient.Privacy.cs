using Warden.Contracts;

namespace Warden.Client;

/// <summary>PII tool calls.</summary>
public sealed partial class WardenClient
{
    /// <summary>POST /api/v1/pii/analyze.</summary>
    public Task<PiiAnalyzeResponse> AnalyzePiiAsync(PiiAnalyzeRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<PiiAnalyzeResponse>(HttpMethod.Post, "api/v1/pii/analyze", request, cancellationToken);

    /// <summary>POST /api/v1/pii/anonymize.</summary>
    public Task<PiiAnonymizeResponse> AnonymizePiiAsync(PiiAnonymizeRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<PiiAnonymizeResponse>(HttpMethod.Post, "api/v1/pii/anonymize", request, cancellationToken);

    /// <summary>POST /api/v1/pii/deanonymize.</summary>
    public Task<PiiDeanonymizeResponse> DeanonymizePiiAsync(string text, CancellationToken cancellationToken = default) =>
        SendAsync<PiiDeanonymizeResponse>(HttpMethod.Post, "api/v1/pii/deanonymize", new PiiDeanonymizeRequest(text), cancellationToken);
}

/// <summary>Serving calls.</summary>
public sealed partial class WardenClient
{
    /// <summary>POST /api/v1/predict/{model} with records (and optional unit id / alias).</summary>
    public async Task<PredictionResponse> PredictAsync(string model, IReadOnlyList<IReadOnlyDictionary<string, object?>> records, string? alias = null,
        string? unitId = null, CancellationToken cancellationToken = default)
    {
        var path = $"api/v1/predict/{E(model)}" + (alias is null ? "" : "?alias=" + E(alias));
        return await SendAsync<PredictionResponse>(HttpMethod.Post, path, new { records, unitId }, cancellationToken);
    }

    /// <summary>GET /api/v1/models/{name}/traffic.</summary>
    public Task<TrafficPolicy> GetTrafficAsync(string model, CancellationToken cancellationToken = default) =>
        GetAsync<TrafficPolicy>($"api/v1/models/{E(model)}/traffic", cancellationToken);

    /// <summary>PUT /api/v1/models/{name}/traffic.</summary>
    public Task<TrafficPolicy> SetTrafficAsync(string model, TrafficPolicy policy, CancellationToken cancellationToken = default) =>
        SendAsync<TrafficPolicy>(HttpMethod.Put, $"api/v1/models/{E(model)}/traffic", policy, cancellationToken);

    /// <summary>GET /api/v1/deployments.</summary>
    public Task<IReadOnlyList<DeploymentInfo>> ListDeploymentsAsync(CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<DeploymentInfo>>("api/v1/deployments", cancellationToken);
}

/// <summary>Monitoring calls.</summary>
public sealed partial class WardenClient
{
    /// <summary>PUT …/reference: profile a CSV as the version's reference.</summary>
    public async Task<ReferenceProfileInfo> SetReferenceAsync(string model, int version, byte[] csv, CancellationToken cancellationToken = default)
    {
        using var content = new MultipartFormDataContent();
        var file = new ByteArrayContent(csv);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        content.Add(file, "dataset", "reference.csv");
        using var response = await _http.PutAsync($"{V(model, version)}/reference", content, cancellationToken);
        return await ReadAsync<ReferenceProfileInfo>(response, cancellationToken);
    }

    /// <summary>GET …/drift.</summary>
    public Task<DriftReport> GetDriftAsync(string model, int version, DateTimeOffset? at = null, string? window = null, CancellationToken cancellationToken = default) =>
        GetDriftAsync(model, version, at, window, null, cancellationToken);

    /// <summary>GET …/drift of one segment (a value of the model's segment feature).</summary>
    public Task<DriftReport> GetDriftAsync(string model, int version, DateTimeOffset? at, string? window, string? segment, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        Add(query, "segment", segment);
        Add(query, "at", at?.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Add(query, "window", window);
        return GetAsync<DriftReport>($"{V(model, version)}/drift" + (query.Count == 0 ? "" : "?" + string.Join('&', query)), cancellationToken);
    }

    /// <summary>Monitored versions (all, or those of one model) with the windows of traffic kept.</summary>
    public Task<IReadOnlyList<MonitoredVersion>> ListMonitoredAsync(string? model = null, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<MonitoredVersion>>("api/v1/monitoring" + (model is null ? "" : "?model=" + E(model)), cancellationToken);

    /// <summary>GET …/quality: data quality of a window of live traffic against the reference.</summary>
    public Task<DataQualityReport> GetQualityAsync(string model, int version, DateTimeOffset? at = null, CancellationToken cancellationToken = default) =>
        GetAsync<DataQualityReport>($"{V(model, version)}/quality" + (at is null ? "" : "?at=" + E(at.Value.ToString("O", System.Globalization.CultureInfo.InvariantCulture))), cancellationToken);
}
