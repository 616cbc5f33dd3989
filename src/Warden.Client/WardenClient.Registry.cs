using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Warden.Contracts;

namespace Warden.Client;

/// <summary>Registry and governance calls.</summary>
public sealed partial class WardenClient
{
    /// <summary>POST /api/v1/models.</summary>
    public Task<ModelInfo> CreateModelAsync(CreateModelRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<ModelInfo>(HttpMethod.Post, "api/v1/models", request, cancellationToken);

    /// <summary>PATCH /api/v1/models/{name}.</summary>
    public Task<ModelInfo> UpdateModelAsync(string name, UpdateModelRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<ModelInfo>(HttpMethod.Patch, $"api/v1/models/{E(name)}", request, cancellationToken);

    /// <summary>GET /api/v1/models.</summary>
    public Task<Page<ModelInfo>> SearchModelsAsync(ModelQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new ModelQuery();
        var parts = new List<string> { $"page={query.Page}", $"pageSize={query.PageSize}" };
        Add(parts, "search", query.Search);
        Add(parts, "riskTier", query.RiskTier?.ToString(CultureInfo.InvariantCulture));
        Add(parts, "owner", query.Owner);
        Add(parts, "tag", query.Tag);
        return GetAsync<Page<ModelInfo>>("api/v1/models?" + string.Join('&', parts), cancellationToken);
    }

    /// <summary>GET /api/v1/models/{name}.</summary>
    public Task<ModelInfo> GetModelAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync<ModelInfo>($"api/v1/models/{E(name)}", cancellationToken);

    /// <summary>POST /api/v1/models/{name}/versions: uploads an artifact with its metadata.</summary>
    public async Task<ModelVersionInfo> UploadVersionAsync(string name, byte[] artifact, string fileName, UploadVersionMetadata? metadata = null,
        CancellationToken cancellationToken = default)
    {
        using var content = new MultipartFormDataContent();
        var file = new ByteArrayContent(artifact);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        content.Add(file, "artifact", fileName);
        if (metadata is not null)
        {
            content.Add(new StringContent(JsonSerializer.Serialize(metadata, Json)), "metadata");
        }

        using var response = await _http.PostAsync($"api/v1/models/{E(name)}/versions", content, cancellationToken);
        return await ReadAsync<ModelVersionInfo>(response, cancellationToken);
    }

    /// <summary>GET /api/v1/models/{name}/versions.</summary>
    public Task<IReadOnlyList<ModelVersionInfo>> ListVersionsAsync(string name, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<ModelVersionInfo>>($"api/v1/models/{E(name)}/versions", cancellationToken);

    /// <summary>GET /api/v1/models/{name}/versions/{version}.</summary>
    public Task<ModelVersionInfo> GetVersionAsync(string name, int version, CancellationToken cancellationToken = default) =>
        GetAsync<ModelVersionInfo>($"{V(name, version)}", cancellationToken);

    /// <summary>GET …/artifact.</summary>
    public async Task<byte[]> DownloadArtifactAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"{V(name, version)}/artifact", cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await WardenApiException.FromResponseAsync(response, cancellationToken);
        }

        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    /// <summary>GET …/card.</summary>
    public Task<ModelCard> GetCardAsync(string name, int version, CancellationToken cancellationToken = default) =>
        GetAsync<ModelCard>($"{V(name, version)}/card", cancellationToken);

    /// <summary>GET …/card.md.</summary>
    public async Task<string> GetCardMarkdownAsync(string name, int version, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"{V(name, version)}/card.md", cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await WardenApiException.FromResponseAsync(response, cancellationToken);
        }

        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    /// <summary>PUT …/card.</summary>
    public Task<ModelCard> UpdateCardAsync(string name, int version, ModelCard card, CancellationToken cancellationToken = default) =>
        SendAsync<ModelCard>(HttpMethod.Put, $"{V(name, version)}/card", card, cancellationToken);

    /// <summary>PUT …/data-classification.</summary>
    public Task<IReadOnlyList<FeatureClassification>> ClassifyFeaturesAsync(string name, int version, IReadOnlyList<FeatureClassification> classification,
        CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<FeatureClassification>>(HttpMethod.Put, $"{V(name, version)}/data-classification", classification, cancellationToken);

    /// <summary>POST …/submit.</summary>
    public Task<ModelVersionInfo> SubmitVersionAsync(string name, int version, string reason, CancellationToken cancellationToken = default) =>
        SendAsync<ModelVersionInfo>(HttpMethod.Post, $"{V(name, version)}/submit", new TransitionRequest(reason), cancellationToken);

    /// <summary>POST …/retire.</summary>
    public Task<ModelVersionInfo> RetireVersionAsync(string name, int version, string reason, CancellationToken cancellationToken = default) =>
        SendAsync<ModelVersionInfo>(HttpMethod.Post, $"{V(name, version)}/retire", new TransitionRequest(reason), cancellationToken);

    /// <summary>POST …/validation-runs: sends a labelled CSV to be scored.</summary>
    public async Task<ValidationRunInfo> RunValidationAsync(string name, int version, byte[] csv, string labelColumn, string? positiveLabel = null,
        CancellationToken cancellationToken = default)
    {
        using var content = new MultipartFormDataContent();
        var file = new ByteArrayContent(csv);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        content.Add(file, "dataset", "holdout.csv");
        content.Add(new StringContent(labelColumn), "labelColumn");
        if (positiveLabel is not null)
        {
            content.Add(new StringContent(positiveLabel), "positiveLabel");
        }

        using var response = await _http.PostAsync($"{V(name, version)}/validation-runs", content, cancellationToken);
        return await ReadAsync<ValidationRunInfo>(response, cancellationToken);
    }

    /// <summary>GET …/validation-runs.</summary>
    public Task<IReadOnlyList<ValidationRunInfo>> ListValidationRunsAsync(string name, int version, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<ValidationRunInfo>>($"{V(name, version)}/validation-runs", cancellationToken);

    /// <summary>POST …/validate.</summary>
    public Task<ModelVersionInfo> ValidateVersionAsync(string name, int version, string comment, CancellationToken cancellationToken = default) =>
        SendAsync<ModelVersionInfo>(HttpMethod.Post, $"{V(name, version)}/validate", new SignOffRequest(comment), cancellationToken);

    /// <summary>POST …/approve.</summary>
    public Task<ModelVersionInfo> ApproveVersionAsync(string name, int version, string comment, CancellationToken cancellationToken = default) =>
        SendAsync<ModelVersionInfo>(HttpMethod.Post, $"{V(name, version)}/approve", new SignOffRequest(comment), cancellationToken);

    /// <summary>POST …/reject.</summary>
    public Task<ModelVersionInfo> RejectVersionAsync(string name, int version, string comment, CancellationToken cancellationToken = default) =>
        SendAsync<ModelVersionInfo>(HttpMethod.Post, $"{V(name, version)}/reject", new SignOffRequest(comment), cancellationToken);

    /// <summary>GET …/gates.</summary>
    public Task<GateReport> GetGatesAsync(string name, int version, CancellationToken cancellationToken = default) =>
        GetAsync<GateReport>($"{V(name, version)}/gates", cancellationToken);

    /// <summary>POST …/gate-exceptions.</summary>
    public Task<GateReport> AddGateExceptionAsync(string name, int version, GateExceptionRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<GateReport>(HttpMethod.Post, $"{V(name, version)}/gate-exceptions", request, cancellationToken);

    /// <summary>GET …/history (of a version).</summary>
    public Task<VersionHistory> GetVersionHistoryAsync(string name, int version, CancellationToken cancellationToken = default) =>
        GetAsync<VersionHistory>($"{V(name, version)}/history", cancellationToken);

    /// <summary>PUT /api/v1/models/{name}/aliases/{alias}.</summary>
    public Task<AliasEvent> PromoteAsync(string name, string alias, int version, string reason, CancellationToken cancellationToken = default) =>
        SendAsync<AliasEvent>(HttpMethod.Put, $"api/v1/models/{E(name)}/aliases/{E(alias)}", new PromoteRequest(version, reason), cancellationToken);

    /// <summary>POST /api/v1/models/{name}/aliases/{alias}/rollback.</summary>
    public Task<AliasEvent> RollbackAsync(string name, string alias, string reason, CancellationToken cancellationToken = default) =>
        SendAsync<AliasEvent>(HttpMethod.Post, $"api/v1/models/{E(name)}/aliases/{E(alias)}/rollback", new TransitionRequest(reason), cancellationToken);

    /// <summary>GET /api/v1/models/{name}/history (optionally: which version held <paramref name="alias"/> at <paramref name="at"/>).</summary>
    public Task<ModelHistory> GetModelHistoryAsync(string name, string? alias = null, DateTimeOffset? at = null, CancellationToken cancellationToken = default)
    {
        var parts = new List<string>();
        Add(parts, "alias", alias);
        Add(parts, "at", at?.ToString("O", CultureInfo.InvariantCulture));
        return GetAsync<ModelHistory>($"api/v1/models/{E(name)}/history" + (parts.Count > 0 ? "?" + string.Join('&', parts) : ""), cancellationToken);
    }

    /// <summary>GET /api/v1/approvals/queue.</summary>
    public Task<IReadOnlyList<QueueItem>> GetApprovalQueueAsync(CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<QueueItem>>("api/v1/approvals/queue", cancellationToken);

    private static string E(string segment) => Uri.EscapeDataString(segment);

    private static string V(string name, int version) => $"api/v1/models/{E(name)}/versions/{version}";
}
