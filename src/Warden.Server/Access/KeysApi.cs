using Microsoft.AspNetCore.Http.HttpResults;
using Warden.Contracts;
using Warden.Server.Audit;
using Warden.Server.Platform;

namespace Warden.Server.Access;

/// <summary>/api/v1/keys (admin) and /api/v1/me (any key).</summary>
public static class KeysApi
{
    /// <summary>Maps the key routes.</summary>
    public static RouteGroupBuilder MapKeysApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/me", WhoAmI).WithTags("Keys").WithName("WhoAmI")
            .WithSummary("The calling key's identity and roles").RequirePermission(Permission.Authenticated);

        var group = routes.MapGroup("/api/v1/keys").WithTags("Keys").RequirePermission(Permission.ManageKeys);
        group.MapPost("/", CreateAsync).WithName("CreateApiKey").Audited("keys.create", "key:new")
            .WithSummary("Create an API key; the secret is in this response and nowhere else, ever")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapGet("/", ListAsync).WithName("ListApiKeys").WithSummary("List API keys (active only unless includeInactive=true)");
        group.MapGet("/{id}", GetAsync).WithName("GetApiKey").WithSummary("One API key").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/revoke", RevokeAsync).WithName("RevokeApiKey").Audited("keys.revoke", "key:{id}")
            .WithSummary("Revoke an API key; it stops working at once")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    private static Ok<WhoAmI> WhoAmI(HttpContext context)
    {
        var actor = AuditActor.From(context.User);
        var expires = context.User.FindFirst(ApiKeyClaims.ExpiresAt)?.Value;
        return TypedResults.Ok(new WhoAmI(actor.KeyId, actor.Name, actor.Roles, expires is null ? null : DateTimeOffset.Parse(expires), actor.Person));
    }

    private static async Task<Created<CreatedApiKey>> CreateAsync(CreateApiKeyRequest request, ApiKeyService keys, AuditScope scope,
        CancellationToken cancellationToken)
    {
        var created = await keys.CreateAsync(request, scope, cancellationToken);
        return TypedResults.Created($"/api/v1/keys/{created.Key.Id}", created);
    }

    private static async Task<Ok<IReadOnlyList<ApiKeyInfo>>> ListAsync(ApiKeyService keys, bool? includeInactive, CancellationToken cancellationToken) =>
        TypedResults.Ok(await keys.ListAsync(includeInactive ?? false, cancellationToken));

    private static async Task<Ok<ApiKeyInfo>> GetAsync(ApiKeyService keys, string id, CancellationToken cancellationToken) =>
        TypedResults.Ok(await keys.GetAsync(id, cancellationToken) ?? throw WardenProblemException.NotFound($"API key '{id}'"));

    private static async Task<Ok<ApiKeyInfo>> RevokeAsync(ApiKeyService keys, string id, RevokeApiKeyRequest? request, AuditScope scope,
        CancellationToken cancellationToken) =>
        TypedResults.Ok(await keys.RevokeAsync(id, request?.Reason, scope, cancellationToken));
}
