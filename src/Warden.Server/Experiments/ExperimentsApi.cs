using Microsoft.AspNetCore.Http.HttpResults;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Audit;
using Warden.Server.Monitoring;
using Warden.Server.Serving;

namespace Warden.Server.Experiments;

/// <summary>A/B tests and bandits between approved versions: /api/v1/experiments and /api/v1/promotions.</summary>
public static class ExperimentsApi
{
    /// <summary>Registers experiments: the service, the serving hook, the feedback listener and the evaluation timer.</summary>
    public static IHostApplicationBuilder AddWardenExperiments(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ExperimentOptions>().BindConfiguration("Warden:Experiments")
            .Validate(o => o.EvaluationInterval > TimeSpan.Zero && o.ExposureQueueCapacity > 0, "EvaluationInterval and ExposureQueueCapacity must be positive").ValidateOnStart();
        builder.Services.AddSingleton<ExperimentServingStats>();
        builder.Services.AddSingleton<ExperimentRouter>();
        builder.Services.AddSingleton<IExperimentRouter>(sp => sp.GetRequiredService<ExperimentRouter>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ExperimentRouter>());
        builder.Services.AddSingleton<ExperimentService>();
        builder.Services.AddSingleton<ExperimentEvaluator>();
        builder.Services.AddSingleton<PromotionProposals>();
        builder.Services.AddSingleton<ExperimentOffPolicy>();
        builder.Services.AddSingleton<IFeedbackListener, ExperimentFeedbackListener>();
        builder.Services.AddHostedService<ExperimentEvaluationTimer>();
        return builder;
    }

    /// <summary>Maps the routes.</summary>
    public static RouteGroupBuilder MapExperimentsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/experiments").WithTags("Experiments");
        const string T = "experiment:{name}";
        group.MapPost("", async (CreateExperimentRequest request, ExperimentService s, AuditScope scope, CancellationToken ct) =>
            {
                var created = await s.CreateAsync(request, scope, ct);
                return TypedResults.Created($"/api/v1/experiments/{created.Name}", created);
            })
            .RequirePermission(Permission.ManageExperiments).Audited("experiments.create", "experiment").WithName("CreateExperiment")
            .WithSummary("Define an experiment (draft): arms are approved versions holding an alias; metrics name feedback values")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        group.MapGet("", (string? model, string? status, ExperimentService s, CancellationToken ct) => Ok(s.ListAsync(model, status, ct)))
            .RequirePermission(Permission.ReadModels).WithName("ListExperiments").WithSummary("Experiments, newest first (filter by model or status)");
        group.MapPost("/power", (PowerRequest request) => TypedResults.Ok(ExperimentService.Power(request)))
            .RequirePermission(Permission.ReadModels).NotAStateChange().WithName("PowerAnalysis")
            .WithSummary("Units per arm to detect a relative effect (two-sided, normal approximation)").ProducesProblem(400);
        group.MapGet("/{name}", (string name, ExperimentService s, CancellationToken ct) => Ok(s.GetAsync(name, ct)))
            .RequirePermission(Permission.ReadModels).WithName("GetExperiment").WithSummary("One experiment with its phases").ProducesProblem(404);
        group.MapPost("/{name}/start", (string name, ExperimentTransitionRequest r, ExperimentService s, AuditScope scope, CancellationToken ct) =>
                Ok(s.StartAsync(name, r.Reason, scope, ct)))
            .RequirePermission(Permission.ManageExperiments).Audited("experiments.start", T).WithName("StartExperiment")
            .WithSummary("draft → running: units carrying a unit id are assigned (sticky) and served by their arm's version").ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/{name}/stop", (string name, ExperimentTransitionRequest r, ExperimentService s, AuditScope scope, CancellationToken ct) =>
                Ok(s.StopAsync(name, r.Reason, scope, ct)))
            .RequirePermission(Permission.ManageExperiments).Audited("experiments.stop", T).WithName("StopExperiment")
            .WithSummary("running → stopped: no new exposures; the experiment's units go back to control").ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/{name}/conclude", (string name, ExperimentTransitionRequest r, ExperimentService s, AuditScope scope, CancellationToken ct) =>
                Ok(s.ConcludeAsync(name, r.Reason, scope, ct)))
            .RequirePermission(Permission.ManageExperiments).Audited("experiments.conclude", T).WithName("ConcludeExperiment")
            .WithSummary("stopped or draft → concluded, with the conclusion").ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/{name}/phases", (string name, NewPhaseRequest r, ExperimentService s, AuditScope scope, CancellationToken ct) =>
                Ok(s.NewPhaseAsync(name, r, scope, ct)))
            .RequirePermission(Permission.ManageExperiments).Audited("experiments.phase", T).WithName("NewExperimentPhase")
            .WithSummary("New weights or coverage (assigned units keep their arm) or, with reseed, new arms (everyone re-randomised)")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        group.MapGet("/{name}/results", (string name, int? phase, ExperimentEvaluator e, CancellationToken ct) => Ok(e.ResultsAsync(name, phase, ct)))
            .RequirePermission(Permission.ReadModels).WithName("ExperimentResults")
            .WithSummary("Per arm and metric: means, lifts with intervals and p-values, always-valid intervals, chance to beat control, SRM, adjusted p-values")
            .ProducesProblem(404);
        group.MapGet("/{name}/timeline", (string name, int? points, ExperimentEvaluator e, CancellationToken ct) => Ok(e.TimelineAsync(name, points ?? 12, ct)))
            .RequirePermission(Permission.ReadModels).WithName("ExperimentTimeline")
            .WithSummary("The primary metric's always-valid interval of each treatment arm over time").ProducesProblem(404);
        group.MapGet("/{name}/allocations", (string name, ExperimentEvaluator e, CancellationToken ct) => Ok(e.AllocationsAsync(name, ct)))
            .RequirePermission(Permission.ReadModels).WithName("ExperimentAllocations").WithSummary("A bandit's weights over time").ProducesProblem(404);
        group.MapPost("/{name}/evaluate", (string name, ExperimentEvaluator e, AuditScope scope, CancellationToken ct) =>
                Ok(e.EvaluateAsync(name, force: true, scope.Actor, scope.RequestId, ct)))
            .RequirePermission(Permission.ManageExperiments).Audited("experiments.evaluate", T).WithName("EvaluateExperiment")
            .WithSummary("Decide now: stop on a guardrail breach, reallocate a bandit, propose a significant winner for promotion").ProducesProblem(404);
        group.MapPost("/{name}/off-policy", (string name, OffPolicyRequest r, ExperimentOffPolicy o, CancellationToken ct) => Ok(o.EvaluateAsync(name, r, ct)))
            .RequirePermission(Permission.ReadModels).NotAStateChange().WithName("OffPolicyEvaluation")
            .WithSummary("Estimate a candidate policy (target arm probabilities, optionally per context feature value) from the logged decisions and their " +
                         "propensities before it gets traffic: IPS, self-normalized IPS and doubly robust with intervals, and the effective sample size")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);

        var promotions = routes.MapGroup("/api/v1/promotions").WithTags("Experiments");
        promotions.MapGet("", (string? status, PromotionProposals p, CancellationToken ct) => Ok(p.ListAsync(status, ct)))
            .RequirePermission(Permission.ReadModels).WithName("ListPromotionProposals").WithSummary("Promotion proposals from experiments, newest first");
        promotions.MapPost("/{id}/accept", (string id, ProposalDecisionRequest r, PromotionProposals p, AuditScope scope, CancellationToken ct) =>
                Ok(p.AcceptAsync(id, r.Comment, scope, ct)))
            .RequirePermission(Permission.ApproveModels).Audited("promotions.accept", "proposal:{id}").WithName("AcceptPromotionProposal")
            .WithSummary("Accept (not the proposer): the alias moves to the winning version and the experiment concludes")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        promotions.MapPost("/{id}/reject", (string id, ProposalDecisionRequest r, PromotionProposals p, AuditScope scope, CancellationToken ct) =>
                Ok(p.RejectAsync(id, r.Comment, scope, ct)))
            .RequirePermission(Permission.ApproveModels).Audited("promotions.reject", "proposal:{id}").WithName("RejectPromotionProposal")
            .WithSummary("Reject (not the proposer): nothing moves").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        return group;
    }

    private static async Task<Ok<T>> Ok<T>(Task<T> task) => TypedResults.Ok(await task);
}
