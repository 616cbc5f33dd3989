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
        builder.Services.AddOptions<MonitoringOptions>().BindConfiguration("Warden:Monitoring");
        builder.Services.AddSingleton<MonitoringService>();
        return builder;
    }

    /// <summary>Maps the routes.</summary>
    public static void MapMonitoringApi(this IEndpointRouteBuilder routes, long maxDatasetBytes)
    {
        var group = routes.MapGroup("/api/v1/models").WithTags("Monitoring");
        group.MapPut("/{name}/versions/{version:int}/reference", SetReferenceAsync).RequirePermission(Permission.WriteModels)
            .Audited("monitoring.reference", "model:{name}/v{version}").WithName("SetReferenceProfile")
            .WithSummary("Profile the version's training or validation data (multipart: 'dataset' CSV) as the reference for drift")
            .DisableAntiforgery().WithBodySizeLimit(maxDatasetBytes).WithFormOptions(multipartBodyLengthLimit: maxDatasetBytes)
            .Accepts<IFormFile>("multipart/form-data").ProducesProblem(400).ProducesProblem(404);
        group.MapGet("/{name}/versions/{version:int}/drift", async (string name, int version, DateTimeOffset? at, MonitoringService monitoring, CancellationToken ct) =>
                TypedResults.Ok(await monitoring.DriftAsync(name, version, at, ct)))
            .RequirePermission(Permission.ReadModels).WithName("DriftReport")
            .WithSummary("Drift of a window of live traffic (the current one, or the one containing 'at') against the reference; drifted features first")
            .ProducesProblem(404).ProducesProblem(409);
        group.MapGet("/{name}/versions/{version:int}/quality", async (string name, int version, DateTimeOffset? at, MonitoringService monitoring, CancellationToken ct) =>
                TypedResults.Ok(await monitoring.QualityAsync(name, version, at, ct)))
            .RequirePermission(Permission.ReadModels).WithName("DataQualityReport")
            .WithSummary("Data quality of a window of live traffic against the reference: missing values, out-of-range values, unseen categories; features with issues first")
            .ProducesProblem(404).ProducesProblem(409);
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
}
