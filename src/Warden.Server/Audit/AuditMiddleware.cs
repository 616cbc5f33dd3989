using Microsoft.AspNetCore.Routing;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Platform;

namespace Warden.Server.Audit;

/// <summary>Fills the request's <see cref="AuditScope"/> and makes sure every state-changing API call leaves a record:
/// handlers write success records inside their own transaction; this middleware writes one for calls that were refused
/// (403 → denied, other 4xx → rejected) or failed (5xx), where no change was made. Calls without a valid key (401) are
/// not written to the chain — anyone could flood it — but are counted in metrics and logged.</summary>
public sealed partial class AuditMiddleware(RequestDelegate next, AuditLog audit, ILogger<AuditMiddleware> logger)
{
    /// <summary>Runs the request and audits refusals and failures.</summary>
    public async Task InvokeAsync(HttpContext context, AuditScope scope)
    {
        scope.Actor = AuditActor.From(context.User);
        scope.RequestId = context.TraceIdentifier;
        if (!IsStateChanging(context.Request) || context.GetEndpoint()?.Metadata.GetMetadata<NotAStateChange>() is not null)
        {
            await next(context);
            return;
        }

        int status;
        try
        {
            await next(context);
            status = context.Response.StatusCode;
        }
        catch (Exception e)
        {
            status = e switch
            {
                WardenProblemException p => p.Status,
                BadHttpRequestException b => b.StatusCode,
                OperationCanceledException when context.RequestAborted.IsCancellationRequested => 499,
                OperationCanceledException => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            };
            await RecordRefusalAsync(context, scope, status);
            throw;
        }

        await RecordRefusalAsync(context, scope, status);
    }

    private async Task RecordRefusalAsync(HttpContext context, AuditScope scope, int status)
    {
        if (scope.Recorded || status < 400 || status == StatusCodes.Status401Unauthorized || scope.Actor == AuditActor.Anonymous)
        {
            return;
        }

        var endpoint = context.GetEndpoint();
        var named = endpoint?.Metadata.GetMetadata<AuditedAction>();
        var action = named?.Action ?? $"{context.Request.Method} {(endpoint as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value}";
        var target = named is null ? (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)" : FillTemplate(named.TargetTemplate, context.Request.RouteValues);
        var outcome = status switch
        {
            StatusCodes.Status403Forbidden => AuditOutcome.Denied,
            >= 500 => AuditOutcome.Failed,
            _ => AuditOutcome.Rejected,
        };
        try
        {
            await audit.AppendStandaloneAsync(scope.Actor, scope.RequestId, action, target,
                // The route pattern, not the path: route values can be personal data (a subject id) and stay out of the log.
                new { status, method = context.Request.Method, route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)" }, outcome, CancellationToken.None);
            scope.Recorded = true;
        }
        catch (Exception e)
        {
            LogAuditFailure(logger, e, action, scope.RequestId);
        }
    }

    private static bool IsStateChanging(HttpRequest request) =>
        !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
        && request.Path.StartsWithSegments("/api");

    private static string FillTemplate(string template, RouteValueDictionary values)
    {
        foreach (var (key, value) in values)
        {
            template = template.Replace("{" + key + "}", value?.ToString() ?? "", StringComparison.Ordinal);
        }

        return template;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not audit the refused call {Action} (request {RequestId})")]
    private static partial void LogAuditFailure(ILogger logger, Exception exception, string action, string requestId);
}
