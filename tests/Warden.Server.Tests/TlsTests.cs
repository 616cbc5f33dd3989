using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Warden.Client;
using Warden.Contracts;
using Warden.Server.Platform;
using Warden.Server.Security;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>HTTPS by default with a generated certificate whose fingerprint is printed; plain HTTP only on loopback;
/// certificate pinning in the client; mutual TLS for machine clients.</summary>
public sealed class TlsTests
{
    private static async Task<(WardenTestHost Host, BootstrapKeyOutput Output)> StartHttpsAsync(string? data = null, IDictionary<string, string?>? settings = null)
    {
        var output = new BootstrapKeyOutput();
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["urls"] = "https://127.0.0.1:0" };
        var host = await WardenTestHost.StartOnAsync("sqlite", data ?? Path.Combine(Path.GetTempPath(), "warden-test-" + Guid.NewGuid().ToString("N")), null,
            Warden.Server.Access.ApiKeyService.NewSecret(), settings: all, configure: b => b.Services.AddSingleton(output), ownsData: data is null);
        return (host, output);
    }

    [Fact]
    public async Task Https_with_a_generated_certificate_is_trusted_by_its_printed_fingerprint_only()
    {
        var (host, output) = await StartHttpsAsync();
        await using var _ = host;
        Assert.Equal("https", host.BaseAddress.Scheme);
        Assert.Matches("^([0-9A-F]{2}:){31}[0-9A-F]{2}$", output.TlsFingerprint!);

        using (var pinned = new WardenClient(host.BaseAddress, host.AdminKey, output.TlsFingerprint))
        {
            Assert.Equal(Roles.Admin, (await pinned.WhoAmIAsync()).Roles.Single());
        }

        using (var unpinned = new WardenClient(host.BaseAddress, host.AdminKey, tlsFingerprint: null))
        {
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => unpinned.WhoAmIAsync());
            Assert.IsType<System.Security.Authentication.AuthenticationException>(error.InnerException);
        }

        using var wrongPin = new WardenClient(host.BaseAddress, host.AdminKey, new string('A', 64));
        await Assert.ThrowsAsync<HttpRequestException>(() => wrongPin.WhoAmIAsync());
    }

    [Fact]
    public async Task The_generated_certificate_is_kept_across_restarts()
    {
        var data = Path.Combine(Path.GetTempPath(), "warden-test-" + Guid.NewGuid().ToString("N"));
        string first;
        var (host1, output1) = await StartHttpsAsync(data);
        await using (host1)
        {
            first = output1.TlsFingerprint!;
        }

        var (host2, output2) = await StartHttpsAsync(data);
        await using (host2)
        {
            Assert.Equal(first, output2.TlsFingerprint);
        }

        Directory.Delete(data, recursive: true);
    }

    [Theory]
    [InlineData("http://0.0.0.0:0")]
    [InlineData("http://192.0.2.10:5080")]
    public async Task Plain_http_off_loopback_is_refused(string url)
    {
        var data = Path.Combine(Path.GetTempPath(), "warden-test-" + Guid.NewGuid().ToString("N"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => WardenTestHost.StartOnAsync("sqlite", data, null,
            Warden.Server.Access.ApiKeyService.NewSecret(), settings: new Dictionary<string, string?> { ["urls"] = url }));
        Assert.Contains("Plain HTTP is only allowed on loopback", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mapped_client_certificate_authenticates_a_machine_client_with_its_roles()
    {
        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var clientCertificate = new CertificateRequest("CN=batch-scorer", clientKey, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using var strangerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var stranger = new CertificateRequest("CN=stranger", strangerKey, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var thumbprint = Convert.ToHexString(SHA256.HashData(clientCertificate.RawData));
        var (host, output) = await StartHttpsAsync(settings: new Dictionary<string, string?>
        {
            ["Warden:Tls:RequestClientCertificates"] = "true",
            ["Warden:Tls:ClientCertificates:0:Thumbprint"] = thumbprint,
            ["Warden:Tls:ClientCertificates:0:Name"] = "batch-scorer",
            ["Warden:Tls:ClientCertificates:0:Roles:0"] = Roles.Viewer,
        });
        await using var _ = host;

        async Task<HttpResponseMessage> CallAsync(X509Certificate2? certificate)
        {
            var handler = WardenClient.PinnedHandler(output.TlsFingerprint);
            if (certificate is not null)
            {
                handler.SslOptions.ClientCertificates = [X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null)];
            }

            using var http = new HttpClient(handler) { BaseAddress = host.BaseAddress };
            return await http.GetAsync("/api/v1/me");
        }

        using var mapped = await CallAsync(clientCertificate);
        Assert.Equal(HttpStatusCode.OK, mapped.StatusCode);
        Assert.Contains("\"name\":\"batch-scorer\"", await mapped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var unmapped = await CallAsync(stranger);
        Assert.Equal(HttpStatusCode.Unauthorized, unmapped.StatusCode);
        Assert.Contains("not mapped", await unmapped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var none = await CallAsync(null);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
    }
}
