using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Warden.Server.Security;

/// <summary>TLS settings ("Warden:Tls").</summary>
public sealed class TlsOptions
{
    /// <summary>A PEM certificate (with <see cref="KeyPath"/>) or a PFX file; when empty a self-signed one is generated in DATA/tls.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key for <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of a PFX certificate.</summary>
    public string? Password { get; set; }

    /// <summary>Ask machine clients for a certificate (mutual TLS); mapped certificates authenticate without an API key.</summary>
    public bool RequestClientCertificates { get; set; }

    /// <summary>Client certificates (by SHA-256 thumbprint) and the roles they carry.</summary>
    public List<ClientCertificateMapping> ClientCertificates { get; set; } = [];
}

/// <summary>One machine client allowed to authenticate with its certificate.</summary>
public sealed class ClientCertificateMapping
{
    /// <summary>SHA-256 thumbprint of the client certificate (hex).</summary>
    public string Thumbprint { get; set; } = "";

    /// <summary>A name for audit records.</summary>
    public string Name { get; set; } = "";

    /// <summary>Roles granted.</summary>
    public List<string> Roles { get; set; } = [];
}

/// <summary>HTTPS by default: the configured certificate or a generated self-signed one (fingerprint printed at start);
/// plain HTTP only when an http:// address is asked for explicitly, and only on loopback.</summary>
public static class TlsSetup
{
    /// <summary>The default listening address.</summary>
    public const string DefaultUrls = "https://127.0.0.1:5443";

    /// <summary>Checks the addresses and configures Kestrel's HTTPS defaults. Throws with a clear message for plain HTTP off loopback.</summary>
    public static void Configure(WebApplicationBuilder builder, string urls, string dataDirectory, Platform.BootstrapKeyOutput output)
    {
        var addresses = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var address in addresses)
        {
            if (!Uri.TryCreate(address.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) ||
                (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new InvalidOperationException($"'{address}' is not an http:// or https:// address.");
            }

            if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopback(uri.Host))
            {
                throw new InvalidOperationException(
                    $"Plain HTTP is only allowed on loopback, and '{address}' is not loopback. Use https://{uri.Host}:{uri.Port} (Warden brings its own certificate) or put TLS in front.");
            }
        }

        if (!addresses.Any(a => a.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        var tls = builder.Configuration.GetSection("Warden:Tls").Get<TlsOptions>() ?? new TlsOptions();
        var certificate = LoadOrCreate(tls, dataDirectory, out var generated);
        output.WriteTlsFingerprint(Fingerprint(certificate), generated);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
        {
            https.ServerCertificate = certificate;
            https.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
            if (tls.RequestClientCertificates)
            {
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                // Client certificates are matched by pinned thumbprint in the authentication handler, not by a CA chain.
                https.ClientCertificateValidation = (_, _, _) => true;
            }
        }));
    }

    /// <summary>SHA-256 of the certificate, uppercase hex with colons (what browsers show).</summary>
    public static string Fingerprint(X509Certificate2 certificate) =>
        string.Join(':', certificate.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The path of the generated certificate in a data folder.</summary>
    public static string GeneratedPath(string dataDirectory) => Path.Combine(dataDirectory, "tls", "warden-selfsigned.pfx");

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private static X509Certificate2 LoadOrCreate(TlsOptions tls, string dataDirectory, out bool generated)
    {
        generated = false;
        if (!string.IsNullOrEmpty(tls.CertificatePath))
        {
            return tls.KeyPath is { Length: > 0 }
                ? X509Certificate2.CreateFromPemFile(tls.CertificatePath, tls.KeyPath)
                : X509CertificateLoader.LoadPkcs12FromFile(tls.CertificatePath, tls.Password);
        }

        var path = GeneratedPath(dataDirectory);
        if (File.Exists(path))
        {
            var existing = X509CertificateLoader.LoadPkcs12FromFile(path, null);
            if (existing.NotAfter > DateTime.UtcNow.AddDays(7))
            {
                return existing;
            }
        }

        generated = true;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Warden (self-signed)", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddDnsName(Environment.MachineName.ToLowerInvariant());
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var pfx = created.Export(X509ContentType.Pkcs12);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(path, options))
        {
            file.Write(pfx);
        }

        return X509CertificateLoader.LoadPkcs12(pfx, null);
    }
}
