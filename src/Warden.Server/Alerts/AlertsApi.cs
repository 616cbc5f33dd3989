using Microsoft.AspNetCore.Http.HttpResults;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Audit;
using Warden.Server.Platform;

namespace Warden.Server.Alerts;

/// <summary>Alert rules, alerts and their lifecycle.</summary>
public static class AlertsApi
{
    /// <summary>Registers alerting: the service, the webhook notifier and the periodic evaluator.</summary>
    public static IHostApplicationBuilder AddWardenAlerts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AlertOptions>().BindConfiguration("Warden:Alerts")
            .Validate(o => o.EvaluationInterval > TimeSpan.Zero && o.MaxAttempts is >= 1 and <= 20 && o.RetryBaseDelay >= TimeSpan.Zero,
                "Warden:Alerts: EvaluationInterval must be positive, MaxAttempts 1–20, RetryBaseDelay not negative")
            .Validate(o => o.Webhooks.Values.All(w => Uri.TryCreate(w.Url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp && u.IsLoopback) && w.Secret.Length >= 16),
                "Warden:Alerts:Webhooks: each needs an https Url (http only on loopback) and a Secret of at least 16 characters")
            .ValidateOnStart();
        builder.Services.AddSingleton<WebhookNotifier>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookNotifier>());
        builder.Services.AddSingleton<AlertService>();
        builder.Services.AddHostedService<AlertEvaluator>();
        return builder;
    }

    /// <summary>Maps the routes.</summary>
    public static void MapAlertsApi(this IEndpointRouteBuilder routes)
    {
        var rules = routes.MapGroup("/api/v1/alert-rules").WithTags("Alerts");
        rules.MapGet("/", async (string? model, AlertService alerts, CancellationToken ct) => TypedResults.Ok(await alerts.ListRulesAsync(model, ct)))
            .RequirePermission(Permission.ReadModels).WithName("ListAlertRules").WithSummary("Alert rules (optionally of one model)");
        rules.MapPost("/", async (AlertRuleRequest request, AlertService alerts, AuditScope scope, CancellationToken ct) =>
            {
                var rule = await alerts.CreateRuleAsync(request, scope, ct);
                return TypedResults.Created($"/api/v1/alert-rules/{rule.Id}", rule);
            })
            .RequirePermission(Permission.ManageAlerts).Audited("alerts.rule.create", "alert-rules").WithName("CreateAlertRule")
            .WithSummary("Create an alert rule: a metric, a comparison and threshold, N consecutive windows, a minimum sample, an action (notify, rollback, canary-zero) and a webhook")
            .ProducesProblem(400).ProducesProblem(404);
        rules.MapDelete("/{id}", async (string id, AlertService alerts, AuditScope scope, CancellationToken ct) =>
            {
                await alerts.DeleteRuleAsync(id, scope, ct);
                return TypedResults.NoContent();
            })
            .RequirePermission(Permission.ManageAlerts).Audited("alerts.rule.delete", "alert-rule:{id}").WithName("DeleteAlertRule")
            .WithSummary("Delete an alert rule (its open alerts resolve)").ProducesProblem(404);

        var group = routes.MapGroup("/api/v1/alerts").WithTags("Alerts");
        group.MapGet("/", async (string? state, string? model, int? limit, AlertService alerts, CancellationToken ct) =>
                TypedResults.Ok(await alerts.ListAlertsAsync(state, model, limit ?? 100, ct)))
            .RequirePermission(Permission.ReadModels).WithName("ListAlerts")
            .WithSummary("Alerts, newest first; state = firing, acknowledged, resolved or open (not resolved)").ProducesProblem(400);
        group.MapGet("/{id}", async (string id, AlertService alerts, CancellationToken ct) => TypedResults.Ok(await alerts.GetAlertAsync(id, ct)))
            .RequirePermission(Permission.ReadModels).WithName("GetAlert").WithSummary("One alert with its root cause").ProducesProblem(404);
        group.MapPost("/{id}/acknowledge", async (string id, AlertService alerts, AuditScope scope, CancellationToken ct) =>
                TypedResults.Ok(await alerts.AcknowledgeAsync(id, scope, ct)))
            .RequirePermission(Permission.ManageAlerts).Audited("alerts.acknowledge", "alert:{id}").WithName("AcknowledgeAlert")
            .WithSummary("Acknowledge a firing alert").ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/{id}/resolve", async (string id, AlertService alerts, AuditScope scope, CancellationToken ct) =>
                TypedResults.Ok(await alerts.ResolveAsync(id, scope, ct)))
            .RequirePermission(Permission.ManageAlerts).Audited("alerts.resolve", "alert:{id}").WithName("ResolveAlert")
            .WithSummary("Resolve an open alert by hand").ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/evaluate", async (AlertService alerts, CancellationToken ct) => TypedResults.Ok(await alerts.EvaluateAsync(ct)))
            .RequirePermission(Permission.ManageAlerts).WithName("EvaluateAlerts")
            .WithSummary("Evaluate every rule now (the server also does so every Warden:Alerts:EvaluationInterval)");
    }
}

/// <summary>Evaluates the rules on a cadence.</summary>
public sealed partial class AlertEvaluator(AlertService alerts, Microsoft.Extensions.Options.IOptions<AlertOptions> options, TimeProvider time,
    ILogger<AlertEvaluator> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.EvaluationInterval, time, stoppingToken);
                await alerts.EvaluateAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert evaluation failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
