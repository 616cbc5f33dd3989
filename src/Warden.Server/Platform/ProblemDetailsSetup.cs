using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Warden.Server.Platform;

/// <summary>Every error leaves the server as RFC 7807 problem details carrying the request id; client mistakes name what was wrong.</summary>
public static class ProblemDetailsSetup
{
    /// <summary>Registers problem details, the exception handler and strict JSON binding.</summary>
    public static IHostApplicationBuilder AddWardenProblemDetails(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions["requestId"] = context.HttpContext.TraceIdentifier;
            context.ProblemDetails.Extensions.Remove("traceId");
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            if (context.ProblemDetails.Detail is null && (context.HttpContext.GetEndpoint() is null || context.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge))
            {
                var request = context.HttpContext.Request;
                context.ProblemDetails.Detail = context.ProblemDetails.Status switch
                {
                    StatusCodes.Status404NotFound => $"No endpoint matches {request.Method} {request.Path}; the API is described at /openapi/v1.json.",
                    StatusCodes.Status405MethodNotAllowed => $"{request.Path} does not accept {request.Method}.",
                    StatusCodes.Status413PayloadTooLarge => DescribeBodyLimit(context.HttpContext),
                    _ => null,
                };
            }
        });
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        // Binding failures throw BadHttpRequestException, which the handler turns into a 400 that names the field.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.RespectNullableAnnotations = true;
            o.SerializerOptions.RespectRequiredConstructorParameters = true;
            o.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
            // Metrics can be undefined (ROC AUC with one class present): NaN travels as the string "NaN".
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals;
        });
        return builder;
    }

    internal static string DescribeBodyLimit(HttpContext context)
    {
        var limit = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        return limit is null ? "The request body is larger than this endpoint accepts."
            : $"The request body exceeds the limit of {limit} bytes.";
    }

    /// <summary>Turns empty error responses (unknown route, wrong method, 413 from Kestrel) into problem details too.</summary>
    public static WebApplication UseWardenProblemDetails(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}

internal sealed partial class ProblemExceptionHandler(
    IProblemDetailsService problems,
    IHostApplicationLifetime lifetime,
    ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        ProblemDetails problem;
        switch (exception)
        {
            case WardenProblemException p:
                problem = new ProblemDetails { Status = p.Status, Title = p.Title, Detail = p.Message };
                if (p.Status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
                {
                    httpContext.Response.Headers.RetryAfter = "1";
                }

                if (p.Errors is not null)
                {
                    problem.Extensions["errors"] = p.Errors;
                }

                break;
            case BadHttpRequestException bad:
                problem = new ProblemDetails
                {
                    Status = bad.StatusCode,
                    Title = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : "The request could not be read.",
                    Detail = bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? ProblemDetailsSetup.DescribeBodyLimit(httpContext) : DescribeBadRequest(bad),
                };
                break;
            case Registry.ArtifactIntegrityException integrity:
                LogIntegrity(logger, integrity, httpContext.TraceIdentifier);
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status500InternalServerError,
                    Title = "A stored artifact failed its integrity check and was refused.",
                    Detail = integrity.Message + " Restore it from a backup or upload the version again; nothing was served from it.",
                };
                break;
            case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                // The client went away; nobody is listening for an answer.
                httpContext.Response.StatusCode = 499;
                return true;
            case OperationCanceledException when lifetime.ApplicationStopping.IsCancellationRequested:
                // Kestrel stops reading unfinished request bodies when shutdown begins; such a request never started
                // its work, so the honest answer is "retry elsewhere", not a server error.
                httpContext.Response.Headers.RetryAfter = "1";
                httpContext.Response.Headers.Connection = "close";
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "The server is shutting down.",
                    Detail = "The request body was still arriving when shutdown began; nothing was changed. Retry the request.",
                };
                break;
            default:
                LogUnhandled(logger, exception, httpContext.TraceIdentifier);
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status500InternalServerError,
                    Title = "The server failed to handle the request.",
                    Detail = "An unexpected error occurred; quote the requestId to an operator.",
                };
                break;
        }

        httpContext.Response.StatusCode = problem.Status ?? 500;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static string DescribeBadRequest(BadHttpRequestException bad)
    {
        var inner = bad.InnerException;
        return inner switch
        {
            JsonException json => $"{bad.Message} {json.Message}",
            null => bad.Message,
            _ => $"{bad.Message} {inner.Message}",
        };
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Integrity failure for request {RequestId}")]
    private static partial void LogIntegrity(ILogger logger, Exception exception, string requestId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for request {RequestId}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string requestId);
}
