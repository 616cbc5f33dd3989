using Microsoft.AspNetCore.Http.HttpResults;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Audit;
using Warden.Server.Platform;

namespace Warden.Server.Monitoring;

/// <summary>Reference profiles and drift reports.</summary>
public static class MonitoringApi
{
    /// <summary>Registers monitoring.</summary>
    public static IHostApplicationBuilder AddWardenMonitoring(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MonitoringOptions>().BindConfiguration("Warden:Monitoring")
            .Validate(o => o.Drift.Values.SelectMany(f => f.Values).All(d => (d.Method is null || Enum.TryParse<Warden.Statistics.Drift.DriftMethod>(d.Method, out _))
                                                                              && (d.Threshold is null || double.IsFinite(d.Threshold.Value) && d.Threshold > 0)),
                "Warden:Monitoring:Drift: each Method must be a DriftMethod name (KolmogorovSmirnov, ChiSquared, ZTest, Wasserstein, WassersteinNormed, JensenShannon, PopulationStabilityIndex, Hellinger) and each Threshold a positive number")
            .Validate(o => o.Window >= TimeSpan.FromMinutes(1) && o.WindowsKept >= 1 && o.JoinCapacity >= 1 && o.CheckpointInterval > TimeSpan.Zero,
                "Warden:Monitoring: Window at least a minute, WindowsKept, JoinCapacity and CheckpointInterval positive")
            .ValidateOnStart();
        builder.Services.AddSingleton<MonitoringService>();
        builder.Services.AddSingleton<LabelJoin>();
        builder.Services.AddSingleton<EventIngestor>();
        builder.Services.AddSingleton<MonitoringEvents>();
        builder.Services.AddSingleton<Serving.IEventLogConsumer>(sp => sp.GetRequiredService<MonitoringEvents>());
        builder.Services.AddHostedService<MonitoringCheckpointer>();
        return builder;
    }

    /// <summary>Maps the routes.</summary>
    public static void MapMonitoringApi(this IEndpointRouteBuilder routes, long maxDatasetBytes, long maxEventBytes = 32 * 1024 * 1024)
    {
        var group = routes.MapGroup("/api/v1/models").WithTags("Monitoring");
        group.MapPut("/{name}/versions/{version:int}/reference", SetReferenceAsync).RequirePermission(Permission.WriteModels)
            .Audited("monitoring.reference", "model:{name}/v{version}").WithName("SetReferenceProfile")
            .WithSummary("Profile the version's training or validation data (multipart: 'dataset' CSV) as the reference for drift")
            .DisableAntiforgery().WithBodySizeLimit(maxDatasetBytes).WithFormOptions(multipartBodyLengthLimit: maxDatasetBytes)
            .Accepts<IFormFile>("multipart/form-data").ProducesProblem(400).ProducesProblem(404);
        group.MapGet("/{name}/versions/{version:int}/drift", async (string name, int version, DateTimeOffset? at, string? window, string? segment, MonitoringService monitoring,
                    CancellationToken ct) => TypedResults.Ok(await monitoring.DriftAsync(name, version, at, ct, ParseSpan(window), segment)))
            .RequirePermission(Permission.ReadModels).WithName("DriftReport")
            .WithSummary("Drift of a window of live traffic (the current one, or the one containing 'at'; window=1d merges the base windows of that day; segment=VALUE reports one segment of a segmented model) against the reference; drifted features first")
            .ProducesProblem(404).ProducesProblem(409);
        group.MapGet("/{name}/versions/{version:int}/quality", async (string name, int version, DateTimeOffset? at, MonitoringService monitoring, CancellationToken ct) =>
                TypedResults.Ok(await monitoring.QualityAsync(name, version, at, ct)))
            .RequirePermission(Permission.ReadModels).WithName("DataQualityReport")
            .WithSummary("Data quality of a window of live traffic against the reference: missing values, out-of-range values, unseen categories; features with issues first")
            .ProducesProblem(404).ProducesProblem(409);
        group.MapGet("/{name}/versions/{version:int}/performance", async (string name, int version, string? window, MonitoringService monitoring, CancellationToken ct) =>
                TypedResults.Ok(await monitoring.PerformanceAsync(name, version, ParseSpan(window), ct)))
            .RequirePermission(Permission.ReadModels).WithName("PerformanceReport")
            .WithSummary("Performance per window (e.g. window=1h or 1d) from the delayed labels joined so far, with the label coverage")
            .ProducesProblem(400).ProducesProblem(404);
        group.MapGet("/{name}/versions/{version:int}/fairness", async (string name, int version, string? window, MonitoringService monitoring, CancellationToken ct) =>
                TypedResults.Ok(await monitoring.FairnessAsync(name, version, ParseSpan(window), ct)))
            .RequirePermission(Permission.ReadModels).WithName("FairnessReport")
            .WithSummary("Fairness per window on each declared sensitive attribute: per-group selection rate, TPR, FPR; parity, equal opportunity, equalized odds, disparate impact (four-fifths rule)")
            .ProducesProblem(400).ProducesProblem(404);
        routes.MapPost("/api/v1/events", IngestAsync).WithTags("Monitoring").RequirePermission(Permission.IngestEvents).WithName("IngestEvents")
            .WithSummary("Ingest prediction events (models Warden does not serve) and feedback (delayed ground truth, outcomes): a JSON array, {\"events\": [...]}, or JSON lines (application/x-ndjson). Acknowledged once durable; idempotent by eventId")
            .Accepts<IngestEvent[]>("application/json", "application/x-ndjson").WithBodySizeLimit(maxEventBytes).DisableAntiforgery()
            .ProducesProblem(400).ProducesProblem(413);
        routes.MapGet("/api/v1/monitoring", async (string? model, MonitoringService monitoring, CancellationToken ct) =>
                TypedResults.Ok(await monitoring.MonitoredAsync(model, ct)))
            .WithTags("Monitoring").RequirePermission(Permission.ReadModels).WithName("ListMonitoredVersions")
            .WithSummary("Monitored versions (a reference profile or live traffic), each with the windows of traffic kept, oldest first");
    }

    private static async Task<Ok<ReferenceProfileInfo>> SetReferenceAsync(string name, int version, IFormFile? dataset, MonitoringService monitoring,
        AuditScope scope, CancellationToken ct)
    {
        if (dataset is null || dataset.Length == 0)
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]> { ["dataset"] = ["send the CSV as the multipart field 'dataset'"] });
        }

        using var buffer = new MemoryStream();
        await dataset.CopyToAsync(buffer, ct);
        return TypedResults.Ok(await monitoring.SetReferenceAsync(name, version, buffer.ToArray(), scope, ct));
    }

    private static async Task<Ok<IngestResult>> IngestAsync(HttpRequest request, EventIngestor ingestor, AuditScope scope, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var type = request.ContentType ?? "";
        var jsonLines = type.Contains("ndjson", StringComparison.OrdinalIgnoreCase) || type.Contains("jsonl", StringComparison.OrdinalIgnoreCase)
                        || type.Contains("json-seq", StringComparison.OrdinalIgnoreCase);
        return TypedResults.Ok(await ingestor.IngestAsync(EventIngestor.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), jsonLines), scope.Actor.KeyId, ct));
    }

    /// <summary>Parses a report span: "30m", "1h", "1d", "7d" (or a TimeSpan such as 01:00:00).</summary>
    internal static TimeSpan? ParseSpan(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        var unit = text[^1];
        if (char.IsLetter(unit) && int.TryParse(text[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            switch (unit)
            {
                case 'm':
                    return TimeSpan.FromMinutes(n);
                case 'h':
                    return TimeSpan.FromHours(n);
                case 'd':
                    return TimeSpan.FromDays(n);
            }
        }

        return TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero
            ? span
            : throw WardenProblemException.Validation(new Dictionary<string, string[]> { ["window"] = ["a span such as 1h, 1d or 7d"] });
    }
}
