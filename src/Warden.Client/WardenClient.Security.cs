using Warden.Contracts;

namespace Warden.Client;

/// <summary>Key management and privacy calls.</summary>
public sealed partial class WardenClient
{
    /// <summary>POST /api/v1/keys/rotate-kek.</summary>
    public Task<KekRotation> RotateKekAsync(CancellationToken cancellationToken = default) =>
        SendAsync<KekRotation>(HttpMethod.Post, "api/v1/keys/rotate-kek", null, cancellationToken);

    /// <summary>GET /api/v1/privacy/keys.</summary>
    public Task<KeyStatusReport> GetKeyStatusAsync(CancellationToken cancellationToken = default) =>
        GetAsync<KeyStatusReport>("api/v1/privacy/keys", cancellationToken);

    /// <summary>DELETE /api/v1/privacy/subjects/{subjectId}.</summary>
    public Task<SubjectErasure> EraseSubjectAsync(string subjectId, string? reason = null, CancellationToken cancellationToken = default) =>
        SendAsync<SubjectErasure>(HttpMethod.Delete, $"api/v1/privacy/subjects/{E(subjectId)}" + (reason is null ? "" : "?reason=" + E(reason)), null, cancellationToken);
}

/// <summary>Audit transparency calls.</summary>
public sealed partial class WardenClient
{
    /// <summary>GET /api/v1/audit/checkpoint.</summary>
    public Task<AuditCheckpoint> GetAuditCheckpointAsync(CancellationToken cancellationToken = default) =>
        GetAsync<AuditCheckpoint>("api/v1/audit/checkpoint", cancellationToken);

    /// <summary>GET /api/v1/audit/proofs/inclusion.</summary>
    public Task<AuditInclusionProof> GetInclusionProofAsync(long sequence, long treeSize, CancellationToken cancellationToken = default) =>
        GetAsync<AuditInclusionProof>($"api/v1/audit/proofs/inclusion?sequence={sequence}&treeSize={treeSize}", cancellationToken);

    /// <summary>GET /api/v1/audit/proofs/consistency.</summary>
    public Task<AuditConsistencyProof> GetConsistencyProofAsync(long from, long to, CancellationToken cancellationToken = default) =>
        GetAsync<AuditConsistencyProof>($"api/v1/audit/proofs/consistency?from={from}&to={to}", cancellationToken);

    /// <summary>GET /api/v1/audit/bundle: the offline verification bundle as JSON text.</summary>
    public async Task<string> GetAuditBundleAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync("api/v1/audit/bundle", cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await WardenApiException.FromResponseAsync(response, cancellationToken);
        }

        return await response.Content.ReadAsStringAsync(cancellationToken);
    }
}
