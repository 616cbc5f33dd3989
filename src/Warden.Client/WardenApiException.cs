using System.Net;
using System.Text.Json;

namespace Warden.Client;

/// <summary>The server answered with an error; carries the RFC 7807 problem details it sent.</summary>
public sealed class WardenApiException : Exception
{
    /// <summary>Creates the exception from a response's status and problem details.</summary>
    public WardenApiException(HttpStatusCode status, string? title, string? detail, string? requestId, IReadOnlyDictionary<string, string[]>? errors)
        : base(Compose(status, title, detail))
    {
        Status = status;
        Title = title;
        Detail = detail;
        RequestId = requestId;
        Errors = errors ?? new Dictionary<string, string[]>();
    }

    /// <summary>HTTP status.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>Problem title.</summary>
    public string? Title { get; }

    /// <summary>Problem detail: what was wrong.</summary>
    public string? Detail { get; }

    /// <summary>The server's request id, to quote to an operator.</summary>
    public string? RequestId { get; }

    /// <summary>Field errors, for validation problems.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    internal static async Task<WardenApiException> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string? title = null, detail = null, requestId = null;
        Dictionary<string, string[]>? errors = null;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            title = root.TryGetProperty("title", out var t) ? t.GetString() : null;
            detail = root.TryGetProperty("detail", out var d) ? d.GetString() : null;
            requestId = root.TryGetProperty("requestId", out var r) ? r.GetString() : null;
            if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
            {
                errors = e.EnumerateObject().ToDictionary(p => p.Name,
                    p => p.Value.ValueKind == JsonValueKind.Array ? p.Value.EnumerateArray().Select(v => v.ToString()).ToArray() : [p.Value.ToString()],
                    StringComparer.Ordinal);
            }
        }
        catch (JsonException)
        {
            detail = body.Length > 300 ? body[..300] : body;
        }

        requestId ??= response.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.FirstOrDefault() : null;
        return new WardenApiException(response.StatusCode, title ?? response.ReasonPhrase, detail, requestId, errors);
    }

    private static string Compose(HttpStatusCode status, string? title, string? detail) =>
        $"{(int)status} {title}{(string.IsNullOrEmpty(detail) ? "" : " " + detail)}".Trim();
}
