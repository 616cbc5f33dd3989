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
