namespace Warden.Server.Platform;

/// <summary>Takes a caller's X-Request-Id (when it is short and plain) or makes one, and echoes it on the response.
/// The id becomes <see cref="HttpContext.TraceIdentifier"/>, so logs, problem details and audit records all carry it.</summary>
public static class RequestIdMiddleware
{
    /// <summary>The header read and written.</summary>
    public const string Header = "X-Request-Id";

    /// <summary>Adds the middleware.</summary>
    public static IApplicationBuilder UseWardenRequestId(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var incoming = context.Request.Headers[Header].ToString();
        context.TraceIdentifier = IsAcceptable(incoming) ? incoming : NewId();
        context.Response.Headers[Header] = context.TraceIdentifier;
        return next(context);
    });

    /// <summary>A fresh request id: "req_" and a UUID version 7 in 32 hex digits (see <see cref="TimeOrderedId"/>).</summary>
    public static string NewId() => "req_" + TimeOrderedId.NewHex();

    private static bool IsAcceptable(string id) =>
        id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
