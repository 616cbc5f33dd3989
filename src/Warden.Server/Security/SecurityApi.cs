using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Audit;
using Warden.Server.Data;
using Warden.Server.Platform;

namespace Warden.Server.Security;

/// <summary>Key management and erasure: KEK rotation, key status, crypto-shredding of a data subject.</summary>
public static class SecurityApi
{
    /// <summary>Registers KEKs, data keys and the subject vault.</summary>
    public static IHostApplicationBuilder AddWardenSecurity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IKeyEncryptionKeys>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<WardenOptions>>().Value;
            return new FileKeyEncryptionKeys(options.KeyDirectory ?? Path.Combine(options.DataDirectory, "keys"), options.KeyEncryptionKey);
        });
        builder.Services.AddSingleton<DataKeyStore>();
        builder.Services.Configure<TlsOptions>(builder.Configuration.GetSection("Warden:Tls"));
        builder.Services.AddSingleton<SubjectVault>();
        return builder;
    }

    /// <summary>Maps the routes.</summary>
    public static RouteGroupBuilder MapSecurityApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v1/keys/rotate-kek", RotateAsync).WithTags("Keys").RequirePermission(Permission.ManageKeys)
            .Audited("keys.rotate_kek", "kek").WithName("RotateKek")
            .WithSummary("Create a new key-encryption key and rewrap every data key with it (data is not re-encrypted)");
        var group = routes.MapGroup("/api/v1/privacy").WithTags("Privacy");
        group.MapGet("/keys", StatusAsync).RequirePermission(Permission.ReadAudit).WithName("KeyStatus")
            .WithSummary("Data keys by purpose and KEK version, live and destroyed");
        group.MapDelete("/subjects/{subjectId}", EraseAsync).RequirePermission(Permission.ErasePersonalData)
            .Audited("privacy.erase_subject", "subject").WithName("EraseSubject")
            .WithSummary("Erase a data subject by destroying their key (crypto-shredding); their sealed payloads become unreadable");
        return group;
    }

    private static async Task<Ok<KekRotation>> RotateAsync(DataKeyStore keys, WardenDatabase database, AuditLog audit, AuditScope scope, CancellationToken ct)
    {
        await using var uow = await database.BeginAsync(ct);
        var (version, count) = await keys.RotateAsync(uow, ct);
        await audit.AppendAsync(uow, scope, "keys.rotate_kek", $"kek:v{version}", new { version, rewrapped = count }, cancellationToken: ct);
        await uow.CommitAsync(ct);
        return TypedResults.Ok(new KekRotation(version, count));
    }

    private static async Task<Ok<KeyStatusReport>> StatusAsync(DataKeyStore keys, IKeyEncryptionKeys keks, CancellationToken ct) =>
        TypedResults.Ok(new KeyStatusReport(keks.CurrentVersion, (await keys.SummaryAsync(ct)).Select(g => new DataKeyGroup(g.Purpose, g.KekVersion, g.Live, g.Destroyed)).ToList()));

    private static async Task<Ok<SubjectErasure>> EraseAsync(string subjectId, string? reason, SubjectVault vault, AuditScope scope, CancellationToken ct)
    {
        new Validator().Require(subjectId.Length is > 0 and <= 200, "subjectId", "must be 1–200 characters").ThrowIfInvalid();
        var destroyed = await vault.EraseAsync(subjectId, reason ?? "erasure request", scope, ct);
        return TypedResults.Ok(new SubjectErasure(SubjectVault.SubjectDigest(subjectId), destroyed));
    }
}
