using Microsoft.AspNetCore.DataProtection;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Audit;
using Warden.Server.Platform;

namespace Warden.Server.Dashboard;

/// <summary>The server-rendered dashboard (Razor Pages, no JavaScript build): sign-in by API key kept in an HTTP-only
/// cookie, an overview, the audit log with chain status, and API key management.</summary>
public static class DashboardSetup
{
    /// <summary>Registers Razor Pages from this assembly with every page behind the dashboard policy.</summary>
    public static IHostApplicationBuilder AddWardenDashboard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorPages(o =>
            {
                o.RootDirectory = "/Dashboard/Pages";
                o.Conventions.AuthorizeFolder("/", AccessSetup.DashboardPolicy);
                o.Conventions.AllowAnonymousToPage("/SignIn");
            })
            .AddApplicationPart(typeof(DashboardSetup).Assembly);
        var dataDirectory = builder.Configuration[$"{WardenOptions.Section}:{nameof(WardenOptions.DataDirectory)}"] ?? new WardenOptions().DataDirectory;
        builder.Services.AddDataProtection()
            .SetApplicationName("warden")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "dataprotection-keys")));
        // The keys are sealed at rest under Warden's key-encryption key, like every other secret in the data folder.
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>>(sp =>
            new Microsoft.Extensions.Options.ConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o =>
                o.XmlEncryptor = new Security.KekXmlEncryptor(sp.GetRequiredService<Security.IKeyEncryptionKeys>())));
        builder.Services.AddSingleton<ChainStatus>();
        return builder;
    }

    /// <summary>Maps the pages and the embedded stylesheet.</summary>
    public static WebApplication MapWardenDashboard(this WebApplication app)
    {
        app.MapRazorPages();
        app.MapGet("/_warden/{file}", (string file) =>
        {
            var stream = typeof(DashboardSetup).Assembly.GetManifestResourceStream("dashboard/" + file);
            if (stream is null)
            {
                return Results.NotFound();
            }

            var type = file.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8" : "image/svg+xml";
            return Results.Stream(stream, type);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}

/// <summary>The latest audit chain verification, shared by the overview and the audit page so that a busy
/// dashboard does not recompute a long chain on every view.</summary>
public sealed class ChainStatus(AuditLog audit, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AuditVerification? _last;

    /// <summary>The last result if younger than 30 s (or <paramref name="force"/> is false and one exists), else a fresh one.</summary>
    public async Task<AuditVerification> GetAsync(bool force, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (force || _last is null || time.GetUtcNow() - _last.CheckedAt > MaxAge)
            {
                _last = await audit.VerifyAsync(cancellationToken);
            }

            return _last;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();
}

/// <summary>Small helpers the pages share.</summary>
public static class DashboardFormat
{
    /// <summary>A time as people read it (UTC).</summary>
    public static string Time(DateTimeOffset? value) => value is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss") + " UTC" : "—";

    /// <summary>A short hash for tables.</summary>
    public static string ShortHash(string hash) => hash.Length > 12 ? hash[..12] : hash;

    /// <summary>True when the signed-in key holds <paramref name="permission"/>.</summary>
    public static bool Can(System.Security.Claims.ClaimsPrincipal user, Permission permission) =>
        RolePermissions.AnyGrants(user.FindAll(System.Security.Claims.ClaimTypes.Role).Select(c => c.Value), permission);

    /// <summary>CSS class for a lifecycle state.</summary>
    public static string StateClass(string? state) => state switch
    {
        VersionStates.Approved => "ok",
        VersionStates.Rejected => "bad",
        VersionStates.Submitted or VersionStates.Validated => "warn",
        _ => "planned",
    };

    /// <summary>CSS class for a gate verdict.</summary>
    public static string GateClass(string status) => status switch
    {
        "pass" => "ok",
        "fail" => "bad",
        "excepted" => "warn",
        _ => "planned",
    };

    /// <summary>A small inline SVG bar for a value in [0, 1] (server-rendered, no script).</summary>
    public static string Bar(double value)
    {
        var width = double.IsFinite(value) ? Math.Clamp(value, 0, 1) * 100 : 0;
        return $"<svg class=\"bar\" width=\"100\" height=\"8\" viewBox=\"0 0 100 8\" aria-hidden=\"true\"><rect width=\"100\" height=\"8\" rx=\"4\" fill=\"#e4e7ec\"/>" +
               $"<rect width=\"{width.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)}\" height=\"8\" rx=\"4\" fill=\"#3b5bdb\"/></svg>";
    }

    /// <summary>"outOfScopeUse" → "Out of scope use".</summary>
    public static string Humanize(string camel)
    {
        var text = string.Concat(camel.Select((c, i) => i > 0 && char.IsUpper(c) ? " " + char.ToLowerInvariant(c) : c.ToString()));
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    /// <summary>CSS class for an alert state.</summary>
    public static string AlertStateClass(string state) => state switch
    {
        "firing" => "bad",
        "acknowledged" => "warn",
        "resolved" => "ok",
        _ => "planned",
    };

    /// <summary>A number as the alert pages show it.</summary>
    public static string Number(double value) => value.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>CSS class for an audit outcome.</summary>
    public static string OutcomeClass(string outcome) => outcome switch
    {
        AuditOutcome.Success => "ok",
        AuditOutcome.Denied => "bad",
        AuditOutcome.Failed => "bad",
        _ => "warn",
    };
}
