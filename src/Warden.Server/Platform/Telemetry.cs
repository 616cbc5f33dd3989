using OpenTelemetry.Metrics;

namespace Warden.Server.Platform;

/// <summary>Metrics (OpenTelemetry meters exported for Prometheus at /metrics) and structured console logs.</summary>
public static class Telemetry
{
    /// <summary>The meter every Warden instrument belongs to.</summary>
    public const string MeterName = "Warden";

    /// <summary>Framework meters exported besides Warden's own: requests and connections (hosting, Kestrel), unhandled
    /// exceptions and the runtime. Routing, rate limiting, authentication and authorization meters each add a metric
    /// update to every request and say little that http_server_request_duration_seconds (by route and status) and
    /// warden_auth_attempts_total do not; name them in <see cref="ExtraMetersKey"/> to export them.</summary>
    public static readonly string[] DefaultMeters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics", "System.Runtime"];

    /// <summary>Configuration key of further meter names to export (e.g. Microsoft.AspNetCore.Authorization).</summary>
    public const string ExtraMetersKey = "Warden:Telemetry:ExtraMeters";

    /// <summary>Registers logging and metrics.</summary>
    public static IHostApplicationBuilder AddWardenTelemetry(this IHostApplicationBuilder builder)
    {
        var format = builder.Configuration[$"{WardenOptions.Section}:{nameof(WardenOptions.LogFormat)}"] ?? "text";
        builder.Logging.ClearProviders();
        // Per-request framework logs (five lines per request) cost more than a prediction; keep warnings and up by default.
        // Configuration (Logging:LogLevel:…) still overrides these.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        if (string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
                o.UseUtcTimestamp = true;
            });
        }

        Privacy.LogRedactionSetup.AddWardenLogRedaction(builder);
        var extra = builder.Configuration.GetSection(ExtraMetersKey).Get<string[]>() ?? [];
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter([MeterName, .. DefaultMeters, .. extra.Where(m => !string.IsNullOrWhiteSpace(m))])
            // Request durations from 0.1 ms: the prediction path lives below a millisecond.
            .AddView("http.server.request.duration", new ExplicitBucketHistogramConfiguration
            {
                Boundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            })
            .AddView(instrument => Serving.ServingMetrics.LatencyInstruments.Contains(instrument.Name)
                ? new ExplicitBucketHistogramConfiguration { Boundaries = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5] }
                : instrument.Name == "warden.inference.batch.size"
                    ? new ExplicitBucketHistogramConfiguration { Boundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] }
                    : null)
            .AddPrometheusExporter());
        return builder;
    }
}
