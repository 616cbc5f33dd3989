using Microsoft.AspNetCore.Http.HttpResults;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Platform;

namespace Warden.Server.Audit;

/// <summary>/api/v1/audit: read, filter and verify the audit log.</summary>
public static class AuditApi
{
    /// <summary>Registers the audit services.</summary>
    public static IHostApplicationBuilder AddWardenAudit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddScoped<AuditScope>();
        builder.Services.AddOptions<AuditOptions>().BindConfiguration("Warden:Audit");
        builder.Services.AddSingleton<AuditTransparency>();
        builder.Services.AddHostedService<CheckpointSigner>();
        return builder;
    }

    /// <summary>Maps the audit routes.</summary>
    public static RouteGroupBuilder MapAuditApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/audit").WithTags("Audit").RequirePermission(Permission.ReadAudit);
        group.MapGet("/", ListAsync).WithName("ListAuditRecords")
            .WithSummary("List audit records, newest first")
            .WithDescription("Filters: actor (key id), action (prefix), target (prefix), since/until (ISO 8601). Paged with page (1-based) and pageSize (1–500).")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{sequence:long}", GetAsync).WithName("GetAuditRecord").WithSummary("One audit record by sequence number")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/verify", VerifyAsync).WithName("VerifyAuditChain")
            .WithSummary("Recompute the hash chain and name the first broken record");
        group.MapGet("/checkpoint", async (AuditTransparency t, CancellationToken ct) =>
            {
                var c = await t.CheckpointAsync(ct);
                return TypedResults.Ok(new AuditCheckpoint(c.TreeSize, c.Root, c.Note, t.PublicKeyPem));
            }).WithName("AuditCheckpoint")
            .WithSummary("A signed checkpoint (RFC 6962 tree size and root, ECDSA P-256 signed note) of the log as it is now");
        group.MapGet("/proofs/inclusion", async (long sequence, long? treeSize, AuditTransparency t, AuditLog audit, CancellationToken ct) =>
            {
                var size = treeSize ?? (await audit.VerifyAsync(ct)).HeadSequence;
                var (leaf, root, proof) = await t.InclusionAsync(sequence, size, ct);
                return TypedResults.Ok(new AuditInclusionProof(sequence, size, leaf.ToBase64(), root.ToBase64(), proof.Select(p => p.ToBase64()).ToList()));
            }).WithName("AuditInclusionProof").WithSummary("RFC 6962 inclusion proof of a record in the tree of treeSize records").ProducesProblem(400);
        group.MapGet("/proofs/consistency", async (long from, long to, AuditTransparency t, CancellationToken ct) =>
            {
                var (oldRoot, newRoot, proof) = await t.ConsistencyAsync(from, to, ct);
                return TypedResults.Ok(new AuditConsistencyProof(from, to, oldRoot.ToBase64(), newRoot.ToBase64(), proof.Select(p => p.ToBase64()).ToList()));
            }).WithName("AuditConsistencyProof").WithSummary("RFC 6962 consistency proof between two tree sizes").ProducesProblem(400);
        group.MapGet("/bundle", async (AuditTransparency t, CancellationToken ct) => TypedResults.Text(await t.BundleAsync(ct), "application/json"))
            .WithName("AuditBundle").WithSummary("Everything `warden audit verify --offline` needs: public key, checkpoints and every record");
        return group;
    }

    private static async Task<Ok<Page<AuditRecord>>> ListAsync(AuditLog audit, string? actor, string? action, string? target,
        DateTimeOffset? since, DateTimeOffset? until, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        var query = new AuditQuery
        {
            Actor = actor, Action = action, Target = target, Since = since, Until = until,
            Page = page ?? 1, PageSize = pageSize ?? 50,
        };
        new Validator()
            .Require(query.Page >= 1, "page", "must be 1 or more")
            .Require(query.PageSize is >= 1 and <= 500, "pageSize", "must be between 1 and 500")
            .Require(since is null || until is null || since < until, "since", "must be before 'until'")
            .ThrowIfInvalid();
        return TypedResults.Ok(await audit.QueryAsync(query, cancellationToken));
    }

    private static async Task<Ok<AuditRecord>> GetAsync(AuditLog audit, long sequence, CancellationToken cancellationToken) =>
        TypedResults.Ok(await audit.GetAsync(sequence, cancellationToken) ?? throw WardenProblemException.NotFound($"Audit record {sequence}"));

    private static async Task<Ok<AuditVerification>> VerifyAsync(AuditLog audit, CancellationToken cancellationToken) =>
        TypedResults.Ok(await audit.VerifyAsync(cancellationToken));
}
