using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Audit;
using Warden.Server.Governance;
using Warden.Server.Platform;

namespace Warden.Server.Registry;

/// <summary>/api/v1/models: models, versions, artifacts, cards and data classification.</summary>
public static class RegistryApi
{
    /// <summary>Registers the registry and governance services.</summary>
    public static IHostApplicationBuilder AddWardenRegistry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GovernanceOptions>().BindConfiguration(GovernanceOptions.Section);
        builder.Services.AddSingleton<IArtifactStore>(sp =>
            new LocalArtifactStore(Path.Combine(sp.GetRequiredService<IOptions<WardenOptions>>().Value.DataDirectory, "artifacts"),
                sp.GetRequiredService<Security.DataKeyStore>()));
        builder.Services.AddSingleton<RegistryService>();
        builder.Services.AddSingleton<GovernanceService>();
        builder.Services.AddHostedService<ReviewSweeper>();
        return builder;
    }

    /// <summary>Maps the registry routes.</summary>
    public static RouteGroupBuilder MapRegistryApi(this IEndpointRouteBuilder routes, long maxArtifactBytes)
    {
        var group = routes.MapGroup("/api/v1/models").WithTags("Registry");
        group.MapPost("/", CreateAsync).RequirePermission(Permission.WriteModels).Audited("models.create", "model:new")
            .WithName("CreateModel").WithSummary("Register a model").ProducesProblem(400).ProducesProblem(409);
        group.MapGet("/", SearchAsync).RequirePermission(Permission.ReadModels)
            .WithName("SearchModels").WithSummary("Search models (search, riskTier, owner, tag; paged)").ProducesProblem(400);
        group.MapGet("/{name}", GetAsync).RequirePermission(Permission.ReadModels).WithName("GetModel").WithSummary("One model").ProducesProblem(404);
        group.MapPatch("/{name}", UpdateAsync).RequirePermission(Permission.WriteModels).Audited("models.update", "model:{name}")
            .WithName("UpdateModel").WithSummary("Change a model's owner, description, purpose, tier, sensitive attributes, tags or thresholds").ProducesProblem(400).ProducesProblem(404);

        group.MapPost("/{name}/versions", UploadAsync).RequirePermission(Permission.WriteModels).Audited("versions.upload", "model:{name}")
            .WithName("UploadVersion")
            .WithSummary("Upload an artifact (multipart: 'artifact' file, optional 'metadata' JSON) as a new draft version")
            .WithDescription("ONNX or ML.NET zip. The signature is read from the artifact; a declared signature that contradicts it is refused. Identical bytes already registered for the model get 409.")
            .DisableAntiforgery().WithBodySizeLimit(maxArtifactBytes).WithFormOptions(multipartBodyLengthLimit: maxArtifactBytes)
            .Accepts<IFormFile>("multipart/form-data").ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(413);
        group.MapGet("/{name}/versions", ListVersionsAsync).RequirePermission(Permission.ReadModels).WithName("ListVersions").WithSummary("A model's versions, newest first");
        group.MapGet("/{name}/versions/{version:int}", GetVersionAsync).RequirePermission(Permission.ReadModels).WithName("GetVersion").WithSummary("One version").ProducesProblem(404);
        group.MapGet("/{name}/versions/{version:int}/artifact", DownloadAsync).RequirePermission(Permission.ReadModels)
            .WithName("DownloadArtifact").WithSummary("The version's artifact bytes").ProducesProblem(404);
        group.MapGet("/{name}/versions/{version:int}/card", GetCardAsync).RequirePermission(Permission.ReadModels).WithName("GetCard").WithSummary("The model card");
        group.MapGet("/{name}/versions/{version:int}/card.md", CardMarkdownAsync).RequirePermission(Permission.ReadModels)
            .WithName("ExportCard").WithSummary("The model card as Markdown").Produces<string>(200, "text/markdown");
        group.MapPut("/{name}/versions/{version:int}/card", UpdateCardAsync).RequirePermission(Permission.WriteModels)
            .Audited("versions.card", "model:{name}/v{version}").WithName("UpdateCard").WithSummary("Replace the model card (drafts only)")
            .ProducesProblem(400).ProducesProblem(409);
        group.MapPut("/{name}/versions/{version:int}/data-classification", ClassifyAsync).RequirePermission(Permission.WriteModels)
            .Audited("versions.classify", "model:{name}/v{version}").WithName("ClassifyFeatures")
            .WithSummary("Replace the per-feature privacy classification (drafts only)").ProducesProblem(400).ProducesProblem(409);
        return group;
    }

    private static async Task<Created<ModelInfo>> CreateAsync(CreateModelRequest request, RegistryService registry, AuditScope scope, CancellationToken ct)
    {
        var model = await registry.CreateModelAsync(request, scope, ct);
        return TypedResults.Created($"/api/v1/models/{model.Name}", model);
    }

    private static async Task<Ok<Page<ModelInfo>>> SearchAsync(RegistryService registry, string? search, int? riskTier, string? owner, string? tag,
        int? page, int? pageSize, CancellationToken ct)
    {
        var query = new ModelQuery { Search = search, RiskTier = riskTier, Owner = owner, Tag = tag, Page = page ?? 1, PageSize = pageSize ?? 50 };
        new Validator()
            .Require(query.Page >= 1, "page", "must be 1 or more")
            .Require(query.PageSize is >= 1 and <= 500, "pageSize", "must be between 1 and 500")
            .Require(riskTier is null or >= 1 and <= 3, "riskTier", "must be 1, 2 or 3")
            .Require(search is null || search.Length <= 200, "search", "must be at most 200 characters")
            .ThrowIfInvalid();
        return TypedResults.Ok(await registry.SearchModelsAsync(query, ct));
    }

    private static async Task<Ok<ModelInfo>> GetAsync(string name, RegistryService registry, CancellationToken ct) =>
        TypedResults.Ok(await registry.GetModelAsync(name, ct));

    private static async Task<Ok<ModelInfo>> UpdateAsync(string name, UpdateModelRequest request, RegistryService registry, AuditScope scope, CancellationToken ct) =>
        TypedResults.Ok(await registry.UpdateModelAsync(name, request, scope, ct));

    private static async Task<Created<ModelVersionInfo>> UploadAsync(string name, IFormFile? artifact, [FromForm] string? metadata,
        RegistryService registry, AuditScope scope, CancellationToken ct)
    {
        if (artifact is null || artifact.Length == 0)
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]> { ["artifact"] = ["send the model file as the multipart field 'artifact'"] });
        }

        UploadVersionMetadata meta;
        try
        {
            meta = string.IsNullOrWhiteSpace(metadata) ? new UploadVersionMetadata() : JsonSerializer.Deserialize<UploadVersionMetadata>(metadata, MetadataJson)
                ?? new UploadVersionMetadata();
        }
        catch (JsonException e)
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]> { ["metadata"] = [$"is not valid JSON for upload metadata: {e.Message}"] });
        }

        using var buffer = new MemoryStream((int)Math.Min(artifact.Length, int.MaxValue));
        await artifact.CopyToAsync(buffer, ct);
        var version = await registry.UploadVersionAsync(name, buffer.ToArray(), meta, scope, ct);
        return TypedResults.Created($"/api/v1/models/{name}/versions/{version.Version}", version);
    }

    private static async Task<Ok<IReadOnlyList<ModelVersionInfo>>> ListVersionsAsync(string name, RegistryService registry, CancellationToken ct) =>
        TypedResults.Ok(await registry.ListVersionsAsync(name, ct));

    private static async Task<Ok<ModelVersionInfo>> GetVersionAsync(string name, int version, RegistryService registry, CancellationToken ct) =>
        TypedResults.Ok(await registry.GetVersionAsync(name, version, ct));

    private static async Task<FileContentHttpResult> DownloadAsync(string name, int version, RegistryService registry, CancellationToken ct)
    {
        var (content, sha, format) = await registry.GetArtifactAsync(name, version, ct);
        return TypedResults.File(content, "application/octet-stream", $"{name}-v{version}.{(format == "onnx" ? "onnx" : "zip")}",
            entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{sha}\""));
    }

    private static async Task<Ok<ModelCard>> GetCardAsync(string name, int version, RegistryService registry, CancellationToken ct) =>
        TypedResults.Ok(await registry.GetCardAsync(name, version, ct));

    private static async Task<ContentHttpResult> CardMarkdownAsync(string name, int version, RegistryService registry, CancellationToken ct) =>
        TypedResults.Text(await registry.CardMarkdownAsync(name, version, ct), "text/markdown; charset=utf-8");

    private static async Task<Ok<ModelCard>> UpdateCardAsync(string name, int version, ModelCard card, RegistryService registry, AuditScope scope, CancellationToken ct) =>
        TypedResults.Ok(await registry.UpdateCardAsync(name, version, card, scope, ct));

    private static async Task<Ok<IReadOnlyList<FeatureClassification>>> ClassifyAsync(string name, int version, List<FeatureClassification> classification,
        RegistryService registry, AuditScope scope, CancellationToken ct) =>
        TypedResults.Ok(await registry.UpdateClassificationAsync(name, version, classification, scope, ct));

    private static readonly JsonSerializerOptions MetadataJson = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };
}
