using Microsoft.Extensions.Options;
using Warden.Server.Access;
using Warden.Server.Audit;
using Warden.Server.Dashboard;
using Warden.Server.Data;
using Warden.Server.Experiments;
using Warden.Server.Governance;
using Warden.Server.Alerts;
using Warden.Server.Monitoring;
using Warden.Server.Platform;
using Warden.Server.Privacy;
using Warden.Server.Registry;
using Warden.Server.Security;
using Warden.Server.Serving;

namespace Warden.Server;

/// <summary>Builds the Warden web application. The `warden serve` verb, the tests and the benchmarks all host it through here.</summary>
public static class WardenApp
{
    /// <summary>Creates the builder: configuration from appsettings.json, WARDEN_* variables and <paramref name="args"/>,
    /// then every feature's services. <paramref name="configure"/> runs last (tests replace services there).</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        // Defaults under every other source (any of them may override): ASP.NET Core's hosting diagnostics off. Left on,
        // the host starts an Activity per request for log correlation; Warden correlates by its own request id
        // (X-Request-Id: in its error logs, problem details and audit records), and the Activity cost 13 % of the peak rate.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = [new("Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics", "None")],
        });
        builder.Configuration.AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true);
        builder.Configuration.AddInMemoryCollection(WardenEnvironment.Read(Environment.GetEnvironmentVariables()));
        builder.Configuration.AddCommandLine(args);
        builder.WebHost.UseKestrelCore();
        var urls = builder.Configuration["urls"] ?? TlsSetup.DefaultUrls;
        builder.WebHost.UseUrls(urls);
        builder.WebHost.UseKestrelHttpsConfiguration();

        builder.Services.AddOptions<WardenOptions>().BindConfiguration(WardenOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(WardenOptions.Section).Get<WardenOptions>() ?? new WardenOptions();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownTimeout);
        builder.Services.AddSingleton(TimeProvider.System);
        var output = new BootstrapKeyOutput();
        builder.Services.AddSingleton(output);
        builder.Services.AddHostedService<StartupTasks>();

        builder.AddWardenTelemetry();
        builder.AddWardenProblemDetails();
        builder.AddWardenRateLimiting();
        builder.AddWardenData();
        builder.AddWardenAudit();
        builder.AddWardenAccess();
        builder.AddWardenSecurity();
        builder.AddWardenPrivacy();
        builder.AddWardenRegistry();
        builder.AddWardenServing();
        builder.AddWardenMonitoring();
        builder.AddWardenAlerts();
        builder.AddWardenExperiments();
        builder.AddWardenOpenApi();
        builder.AddWardenDashboard();
        configure?.Invoke(builder);
        // After configure: a host may have replaced the output (tests read the fingerprint from it).
        var finalOutput = builder.Services.LastOrDefault(d => d.ServiceType == typeof(BootstrapKeyOutput))?.ImplementationInstance as BootstrapKeyOutput ?? output;
        TlsSetup.Configure(builder, urls, options.DataDirectory, finalOutput);
        return builder;
    }

    /// <summary>Builds the application and its request pipeline.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.UseWardenRequestId();
        app.UseWardenProblemDetails();
        app.UseRouting();
        app.UseWardenBodySizeLimits();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseMiddleware<AuditMiddleware>();
        app.UseAuthorization();

        app.MapWardenHealth();
        app.MapWardenOpenApi();
        var metrics = app.MapPrometheusScrapingEndpoint("/metrics");
        if (app.Services.GetRequiredService<IOptions<WardenOptions>>().Value.MetricsRequireKey)
        {
            metrics.RequirePermission(Permission.Authenticated);
        }

        app.MapServerApi();
        app.MapKeysApi();
        app.MapSecurityApi();
        app.MapPrivacyApi();
        app.MapServingApi();
        app.MapOipApi();
        app.MapAuditApi();
        var governance = app.Services.GetRequiredService<IOptions<Governance.GovernanceOptions>>().Value;
        app.MapRegistryApi(governance.MaxArtifactBytes);
        app.MapGovernanceApi(governance.MaxDatasetBytes);
        app.MapMonitoringApi(governance.MaxDatasetBytes);
        app.MapAlertsApi();
        app.MapExperimentsApi();
        app.MapWardenDashboard();
        return app;
    }

    /// <summary>Creates and builds in one call.</summary>
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null) => Build(CreateBuilder(args, configure));
}

/// <summary>The documented WARDEN_* environment variables, mapped onto configuration keys.</summary>
public static class WardenEnvironment
{
    /// <summary>Variable → configuration key.</summary>
    public static IReadOnlyDictionary<string, string> Map { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["WARDEN_URLS"] = "urls",
        ["WARDEN_DATA"] = "Warden:DataDirectory",
        ["WARDEN_POSTGRES"] = "Warden:PostgresConnectionString",
        ["WARDEN_BOOTSTRAP_KEY"] = "Warden:BootstrapKey",
        ["WARDEN_LOG_FORMAT"] = "Warden:LogFormat",
        ["WARDEN_KEY_DIR"] = "Warden:KeyDirectory",
        ["WARDEN_KEK"] = "Warden:KeyEncryptionKey",
    };

    /// <summary>The configuration entries set by the given environment.</summary>
    public static Dictionary<string, string?> Read(System.Collections.IDictionary environment)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, key) in Map)
        {
            if (environment[variable] is string value && value.Length > 0)
            {
                values[key] = value;
            }
        }

        return values;
    }
}
