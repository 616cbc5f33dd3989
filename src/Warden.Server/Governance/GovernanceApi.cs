using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Audit;
using Warden.Server.Platform;

namespace Warden.Server.Governance;

/// <summary>Lifecycle, sign-offs, gates, validation runs, aliases and history.</summary>
public static class GovernanceApi
{
    /// <summary>Maps the governance routes.</summary>
    public static RouteGroupBuilder MapGovernanceApi(this IEndpointRouteBuilder routes, long maxDatasetBytes)
    {
        var group = routes.MapGroup("/api/v1/models").WithTags("Governance");
        const string V = "/{name}/versions/{version:int}";
        const string T = "model:{name}/v{version}";
        group.MapPost(V + "/submit", (string name, int version, TransitionRequest request, GovernanceService g, AuditScope s, CancellationToken ct) =>
                Ok(g.SubmitAsync(name, version, request.Reason, s, ct)))
            .RequirePermission(Permission.WriteModels).Audited("versions.submit", T).WithName("SubmitVersion")
            .WithSummary("draft → submitted: freezes the card and sets the review date").ProducesProblem(409);
        group.MapPost(V + "/validation-runs", RunValidationAsync).RequirePermission(Permission.ValidateModels).Audited("versions.validation_run", T)
            .WithName("RunValidation").WithSummary("Score a labelled hold-out CSV (multipart: 'dataset' file, 'labelColumn', optional 'positiveLabel') and record metrics and fairness")
            .DisableAntiforgery().WithBodySizeLimit(maxDatasetBytes).WithFormOptions(multipartBodyLengthLimit: maxDatasetBytes)
            .Accepts<IFormFile>("multipart/form-data").ProducesProblem(400).ProducesProblem(409);
        group.MapGet(V + "/validation-runs", (string name, int version, GovernanceService g, CancellationToken ct) => Ok(g.ValidationRunsAsync(name, version, ct)))
            .RequirePermission(Permission.ReadModels).WithName("ListValidationRuns").WithSummary("Validation runs, newest first");
        group.MapPost(V + "/validate", (string name, int version, SignOffRequest request, GovernanceService g, AuditScope s, CancellationToken ct) =>
                Ok(g.SignOffAsync(name, version, SignOffKinds.Validation, request.Comment, s, ct)))
            .RequirePermission(Permission.ValidateModels).Audited("versions.validate", T).WithName("ValidateVersion")
            .WithSummary("Give the independent validation sign-off").ProducesProblem(403).ProducesProblem(409);
        group.MapPost(V + "/approve", (string name, int version, SignOffRequest request, GovernanceService g, AuditScope s, CancellationToken ct) =>
                Ok(g.SignOffAsync(name, version, SignOffKinds.Approval, request.Comment, s, ct)))
            .RequirePermission(Permission.ApproveModels).Audited("versions.approve", T).WithName("ApproveVersion")
            .WithSummary("Give an approval sign-off (gates must pass)").ProducesProblem(403).ProducesProblem(409);
        group.MapPost(V + "/reject", (string name, int version, SignOffRequest request, GovernanceService g, AuditScope s, CancellationToken ct) =>
                Ok(g.SignOffAsync(name, version, SignOffKinds.Rejection, request.Comment, s, ct)))
            .RequirePermission(Permission.RejectModels).Audited("versions.reject", T).WithName("RejectVersion").WithSummary("Reject with a comment").ProducesProblem(409);
        group.MapPost(V + "/retire", (string name, int version, TransitionRequest request, GovernanceService g, AuditScope s, CancellationToken ct) =>
                Ok(g.RetireAsync(name, version, request.Reason, s, ct)))
            .RequirePermission(Permission.RetireVersions).Audited("versions.retire", T).WithName("RetireVersion")
            .WithSummary("Retire a version (removes its aliases)").ProducesProblem(409);
        group.MapGet(V + "/gates", (string name, int version, GovernanceService g, CancellationToken ct) => Ok(g.GatesAsync(name, version, ct)))
            .RequirePermission(Permission.ReadModels).WithName("EvaluateGates").WithSummary("Compliance gates with evidence");
        group.MapPost(V + "/gate-exceptions", (string name, int version, GateExceptionRequest request, GovernanceService g, AuditScope s, CancellationToken ct) =>
                Ok(g.AddGateExceptionAsync(name, version, request, s, ct)))
            .RequirePermission(Permission.GrantGateExceptions).Audited("versions.gate_exception", T).WithName("AddGateException")
            .WithSummary("Record a documented exception to a failing gate (admin)").ProducesProblem(400).ProducesProblem(409);
        group.MapGet(V + "/history", (string name, int version, GovernanceService g, CancellationToken ct) => Ok(g.VersionHistoryAsync(name, version, ct)))
            .RequirePermission(Permission.ReadModels).WithName("VersionHistory").WithSummary("Transitions, sign-offs, validation runs and exceptions");

        group.MapPut("/{name}/aliases/{alias}", (string name, string alias, PromoteRequest request, GovernanceService g, AuditScope s, CancellationToken ct) =>
                Ok(g.PromoteAsync(name, alias, request, s, ct)))
            .RequirePermission(Permission.ManageAliases).Audited("aliases.promote", "model:{name}@{alias}").WithName("PromoteVersion")
            .WithSummary("Move a stage alias (champion, challenger, staging …) to an approved version").ProducesProblem(400).ProducesProblem(409);
        group.MapPost("/{name}/aliases/{alias}/rollback", (string name, string alias, TransitionRequest request, GovernanceService g, AuditScope s, CancellationToken ct) =>
                Ok(g.RollbackAsync(name, alias, request.Reason, s, ct)))
            .RequirePermission(Permission.ManageAliases).Audited("aliases.rollback", "model:{name}@{alias}").WithName("RollbackAlias")
            .WithSummary("Return an alias to its previous holder").ProducesProblem(404).ProducesProblem(409);
        group.MapGet("/{name}/history", HistoryAsync).RequirePermission(Permission.ReadModels).WithName("ModelHistory")
            .WithSummary("Alias history; with alias and at (ISO time): which version held it then, and who approved it").ProducesProblem(400);

        routes.MapGet("/api/v1/approvals/queue", (GovernanceService g, CancellationToken ct) => Ok(g.QueueAsync(ct))).WithTags("Governance")
            .RequirePermission(Permission.ReadModels).WithName("ApprovalQueue").WithSummary("Versions waiting for validation or approval");
        return group;
    }

    private static async Task<Ok<T>> Ok<T>(Task<T> task) => TypedResults.Ok(await task);

    private static async Task<Created<ValidationRunInfo>> RunValidationAsync(string name, int version, IFormFile? dataset, [FromForm] string? labelColumn,
        [FromForm] string? positiveLabel, GovernanceService governance, AuditScope scope, CancellationToken ct)
    {
        if (dataset is null || dataset.Length == 0)
        {
            throw WardenProblemException.Validation(new Dictionary<string, string[]> { ["dataset"] = ["send the CSV as the multipart field 'dataset'"] });
        }

        using var buffer = new MemoryStream();
        await dataset.CopyToAsync(buffer, ct);
        var run = await governance.RunValidationAsync(name, version, buffer.ToArray(), labelColumn ?? "", positiveLabel, scope, ct);
        return TypedResults.Created($"/api/v1/models/{name}/versions/{version}/validation-runs", run);
    }

    private static async Task<Ok<ModelHistory>> HistoryAsync(string name, string? alias, DateTimeOffset? at, GovernanceService governance, CancellationToken ct)
    {
        new Validator().Require(at is null || alias is not null, "alias", "give the alias whose holder at 'at' you want").ThrowIfInvalid();
        return TypedResults.Ok(await governance.ModelHistoryAsync(name, alias, at, ct));
    }
}

/// <summary>Looks for overdue periodic reviews on a timer and removes their aliases when the policy says so.</summary>
internal sealed partial class ReviewSweeper(GovernanceService governance, Microsoft.Extensions.Options.IOptions<GovernanceOptions> options, TimeProvider time,
    ILogger<ReviewSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReviewSweepInterval, time);
        do
        {
            try
            {
                var removed = await governance.SweepOverdueReviewsAsync(stoppingToken);
                if (removed > 0)
                {
                    LogRemoved(logger, removed);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed {Count} alias(es) from versions past their periodic review")]
    private static partial void LogRemoved(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "The periodic review sweep failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
