using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Warden.Contracts;

namespace Warden.Client;

/// <summary>Typed client for the Warden HTTP API. Every method throws <see cref="WardenApiException"/> with the
/// server's problem details when the server refuses, and <see cref="HttpRequestException"/> when it cannot be reached.</summary>
public sealed partial class WardenClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>A client for the server at <paramref name="baseAddress"/>, authenticating with <paramref name="apiKey"/>.</summary>
    public WardenClient(Uri baseAddress, string? apiKey, HttpMessageHandler? handler = null)
        : this(new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = baseAddress }, apiKey)
    {
        _ownsHttp = true;
    }

    /// <summary>A client that trusts the server's certificate by its SHA-256 fingerprint (as Warden prints it at start),
    /// for self-signed certificates; the system's trust store is used when <paramref name="tlsFingerprint"/> is null.</summary>
    public WardenClient(Uri baseAddress, string? apiKey, string? tlsFingerprint)
        : this(baseAddress, apiKey, PinnedHandler(tlsFingerprint))
    {
    }

    /// <summary>A handler that accepts exactly the certificate with this SHA-256 fingerprint (hex, colons optional).</summary>
    public static SocketsHttpHandler PinnedHandler(string? tlsFingerprint)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (!string.IsNullOrWhiteSpace(tlsFingerprint))
        {
            var expected = tlsFingerprint.Replace(":", "", StringComparison.Ordinal).Trim().ToUpperInvariant();
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == System.Net.Security.SslPolicyErrors.None ||
                (certificate is not null && Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(certificate.GetRawCertData())) == expected);
        }

        return handler;
    }

    /// <summary>A client over an <see cref="HttpClient"/> whose BaseAddress points at the server.</summary>
    public WardenClient(HttpClient http, string? apiKey)
    {
        _http = http;
        if (!string.IsNullOrEmpty(apiKey))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
    }

    /// <summary>The server's address.</summary>
    public Uri? BaseAddress => _http.BaseAddress;

    /// <summary>GET /api/v1/server.</summary>
    public Task<ServerInfo> GetServerInfoAsync(CancellationToken cancellationToken = default) =>
        GetAsync<ServerInfo>("api/v1/server", cancellationToken);

    /// <summary>GET /api/v1/me.</summary>
    public Task<WhoAmI> WhoAmIAsync(CancellationToken cancellationToken = default) => GetAsync<WhoAmI>("api/v1/me", cancellationToken);

    /// <summary>POST /api/v1/keys: the secret is in the result and nowhere else.</summary>
    public Task<CreatedApiKey> CreateKeyAsync(CreateApiKeyRequest request, CancellationToken cancellationToken = default) =>
        SendAsync<CreatedApiKey>(HttpMethod.Post, "api/v1/keys", request, cancellationToken);

    /// <summary>GET /api/v1/keys.</summary>
    public Task<IReadOnlyList<ApiKeyInfo>> ListKeysAsync(bool includeInactive = false, CancellationToken cancellationToken = default) =>
        GetAsync<IReadOnlyList<ApiKeyInfo>>($"api/v1/keys?includeInactive={(includeInactive ? "true" : "false")}", cancellationToken);

    /// <summary>GET /api/v1/keys/{id}.</summary>
    public Task<ApiKeyInfo> GetKeyAsync(string id, CancellationToken cancellationToken = default) =>
        GetAsync<ApiKeyInfo>($"api/v1/keys/{Uri.EscapeDataString(id)}", cancellationToken);

    /// <summary>POST /api/v1/keys/{id}/revoke.</summary>
    public Task<ApiKeyInfo> RevokeKeyAsync(string id, string? reason = null, CancellationToken cancellationToken = default) =>
        SendAsync<ApiKeyInfo>(HttpMethod.Post, $"api/v1/keys/{Uri.EscapeDataString(id)}/revoke", new RevokeApiKeyRequest(reason), cancellationToken);

    /// <summary>GET /api/v1/audit.</summary>
    public Task<Page<AuditRecord>> ListAuditAsync(AuditQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new AuditQuery();
        var parts = new List<string> { $"page={query.Page}", $"pageSize={query.PageSize}" };
        Add(parts, "actor", query.Actor);
        Add(parts, "action", query.Action);
        Add(parts, "target", query.Target);
        Add(parts, "since", query.Since?.ToString("O", CultureInfo.InvariantCulture));
        Add(parts, "until", query.Until?.ToString("O", CultureInfo.InvariantCulture));
        return GetAsync<Page<AuditRecord>>("api/v1/audit?" + string.Join('&', parts), cancellationToken);
    }

    /// <summary>GET /api/v1/audit/{sequence}.</summary>
    public Task<AuditRecord> GetAuditRecordAsync(long sequence, CancellationToken cancellationToken = default) =>
        GetAsync<AuditRecord>($"api/v1/audit/{sequence}", cancellationToken);

    /// <summary>GET /api/v1/audit/verify: recompute the chain.</summary>
    public Task<AuditVerification> VerifyAuditAsync(CancellationToken cancellationToken = default) =>
        GetAsync<AuditVerification>("api/v1/audit/verify", cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: Json) };
        using var response = await _http.SendAsync(request, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await WardenApiException.FromResponseAsync(response, cancellationToken);
        }

        return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
            ?? throw new InvalidOperationException($"The server sent an empty answer to {response.RequestMessage?.RequestUri}.");
    }

    private static void Add(List<string> parts, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            parts.Add($"{name}={Uri.EscapeDataString(value)}");
        }
    }
}
