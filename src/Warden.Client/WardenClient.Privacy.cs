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
