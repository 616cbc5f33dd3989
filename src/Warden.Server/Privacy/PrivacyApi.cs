using Microsoft.AspNetCore.Http.HttpResults;
using Warden.Contracts;
using Warden.Privacy;
using Warden.Server.Access;
using Warden.Server.Audit;
using Warden.Server.Data;
using Warden.Server.Platform;

namespace Warden.Server.Privacy;

/// <summary>/api/v1/pii: analyze, anonymize and (privacy officers only, audited) deanonymize.</summary>
public static class PrivacyApi
{
    private static readonly string[] OperatorNames = ["redact", "replace", "mask", "pseudonymize", "encrypt"];

    /// <summary>Registers the privacy service.</summary>
    public static IHostApplicationBuilder AddWardenPrivacy(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PrivacySettings>().BindConfiguration("Warden:Privacy");
        builder.Services.AddSingleton<PrivacyService>();
        return builder;
    }

    /// <summary>Maps the routes.</summary>
    public static RouteGroupBuilder MapPrivacyApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/pii").WithTags("Privacy");
        group.MapPost("/analyze", Analyze).RequirePermission(Permission.UsePrivacyTools).NotAStateChange().WithName("AnalyzePii")
            .WithSummary("Find personal data in text (spans are UTF-16 offsets, end exclusive)").ProducesProblem(400);
        group.MapPost("/anonymize", AnonymizeAsync).RequirePermission(Permission.UsePrivacyTools).NotAStateChange().WithName("AnonymizePii")
            .WithSummary("Redact, replace, mask, pseudonymize (keyed HMAC, stable) or encrypt (AES-256-GCM) the personal data in text").ProducesProblem(400);
        group.MapPost("/deanonymize", DeanonymizeAsync).RequirePermission(Permission.Deanonymize).Audited("pii.deanonymize", "pii")
            .WithName("DeanonymizePii").WithSummary("Decrypt encrypt-operator tokens (privacy officers; audited)").ProducesProblem(400);
        return group;
    }

    private static Ok<PiiAnalyzeResponse> Analyze(PiiAnalyzeRequest request, PrivacyService privacy)
    {
        new Validator().Require(request.MinScore is null or >= 0 and <= 1, "minScore", "must be between 0 and 1").ThrowIfInvalid();
        var entities = request.Entities?.ToHashSet(StringComparer.Ordinal);
        var matches = privacy.Analyze(request.Text)
            .Where(m => (entities is null || entities.Contains(m.EntityType)) && m.Score >= (request.MinScore ?? 0))
            .Select(m => new PiiEntity(m.EntityType, m.Start, m.End, m.Score, m.Recognizer, m.Explanation)).ToList();
        return TypedResults.Ok(new PiiAnalyzeResponse(matches));
    }

    private static async Task<Ok<PiiAnonymizeResponse>> AnonymizeAsync(PiiAnonymizeRequest request, PrivacyService privacy, CancellationToken ct)
    {
        var specs = (request.Operators ?? new Dictionary<string, PiiOperatorSpec>()).Append(new KeyValuePair<string, PiiOperatorSpec>("(default)", request.Default ?? new PiiOperatorSpec("replace")));
        var v = new Validator();
        foreach (var (entity, spec) in specs)
        {
            v.Require(OperatorNames.Contains(spec.Type, StringComparer.Ordinal), $"operators.{entity}", $"'{spec.Type}' is not an operator; use {string.Join(", ", OperatorNames)}")
                .Require(spec.KeepLast is null or >= 0 and <= 64, $"operators.{entity}", "keepLast must be between 0 and 64")
                .Require(spec.MaskChar is null || spec.MaskChar.Length == 1, $"operators.{entity}", "maskChar must be one character");
        }

        v.ThrowIfInvalid();
        async Task<AnonymizerOperator> Build(PiiOperatorSpec spec) => await privacy.OperatorAsync(spec.Type, spec.KeepLast ?? 4, spec.MaskChar?[0] ?? '*', ct);
        var operators = new Dictionary<string, AnonymizerOperator>(StringComparer.Ordinal);
        foreach (var (entity, spec) in request.Operators ?? new Dictionary<string, PiiOperatorSpec>())
        {
            operators[entity] = await Build(spec);
        }

        var anonymizer = new PiiAnonymizer(await Build(request.Default ?? new PiiOperatorSpec("replace")), operators);
        var result = anonymizer.Anonymize(request.Text, privacy.Analyze(request.Text));
        return TypedResults.Ok(new PiiAnonymizeResponse(result.Text, result.Items.Select(i => new PiiAnonymizedItem(i.EntityType, i.Start, i.End, i.Operator)).ToList()));
    }

    private static async Task<Ok<PiiDeanonymizeResponse>> DeanonymizeAsync(PiiDeanonymizeRequest request, PrivacyService privacy, WardenDatabase database,
        AuditLog audit, AuditScope scope, CancellationToken ct)
    {
        string text;
        try
        {
            text = await privacy.DeanonymizeAsync(request.Text, ct);
        }
        catch (PiiTokenException e)
        {
            throw new WardenProblemException(StatusCodes.Status400BadRequest, "A token could not be decrypted.", e.Message);
        }

        var tokens = System.Text.RegularExpressions.Regex.Count(request.Text, "<ENC:", System.Text.RegularExpressions.RegexOptions.NonBacktracking);
        // Audited without the plaintext: who reversed how many tokens, and when.
        await using var uow = await database.BeginAsync(ct);
        await audit.AppendAsync(uow, scope, "pii.deanonymize", "pii", new { tokens }, cancellationToken: ct);
        await uow.CommitAsync(ct);
        return TypedResults.Ok(new PiiDeanonymizeResponse(text, tokens));
    }
}
