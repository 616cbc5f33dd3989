using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Warden.Server.Access;

/// <summary>Authenticates "Authorization: Bearer wdn_…" (API) or the HTTP-only dashboard cookie, and answers
/// 401/403 as problem details (API) or a redirect to the sign-in page (dashboard).</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyService keys,
    IProblemDetailsService problems,
    IOptionsMonitor<Security.TlsOptions> tls)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private const string FailureItem = "warden.auth.failure";

    // The key's source by path (AccessSetup.IsDashboardPath): the cookie on dashboard paths, the header elsewhere. The
    // ticket is issued under the source's scheme name, which the permission requirement checks.
    private bool FromCookie => AccessSetup.IsDashboardPath(Request.Path);

    private string TicketScheme => FromCookie ? ApiKeyClaims.DashboardScheme : ApiKeyClaims.ApiScheme;

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = FromCookie ? Request.Cookies[ApiKeyClaims.Cookie] : ReadBearer();
        if (string.IsNullOrEmpty(presented))
        {
            return FromCookie ? AuthenticateResult.NoResult() : await FromClientCertificateAsync();
        }

        var verification = await keys.VerifyAsync(presented, Context.RequestAborted);
        if (verification.Principal is null)
        {
            Context.Items[FailureItem] = verification.Failure;
            return AuthenticateResult.Fail(verification.Failure ?? "Invalid API key.");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(verification.Principal, TicketScheme));
    }

    /// <summary>Mutual TLS: a client certificate whose SHA-256 thumbprint is mapped in Warden:Tls:ClientCertificates authenticates
    /// a machine client with the mapped roles; any other certificate is refused.</summary>
    private async Task<AuthenticateResult> FromClientCertificateAsync()
    {
        if (!tls.CurrentValue.RequestClientCertificates || !Request.IsHttps)
        {
            return AuthenticateResult.NoResult();
        }

        var certificate = Context.Connection.ClientCertificate ?? await Context.Connection.GetClientCertificateAsync(Context.RequestAborted);
        if (certificate is null)
        {
            return AuthenticateResult.NoResult();
        }

        var thumbprint = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(certificate.RawData));
        var mapping = tls.CurrentValue.ClientCertificates.FirstOrDefault(m =>
            string.Equals(m.Thumbprint.Replace(":", "", StringComparison.Ordinal), thumbprint, StringComparison.OrdinalIgnoreCase));
        if (mapping is null)
        {
            Context.Items[FailureItem] = "The client certificate is not mapped to a machine client.";
            return AuthenticateResult.Fail("unmapped client certificate");
        }

        var id = "cert:" + mapping.Name;
        var claims = new List<System.Security.Claims.Claim>
        {
            new(ApiKeyClaims.KeyId, id), new(System.Security.Claims.ClaimTypes.Name, mapping.Name), new(ApiKeyClaims.Person, id),
        };
        claims.AddRange(mapping.Roles.Select(r => new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Role, r)));
        var principal = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(claims, "ClientCertificate",
            System.Security.Claims.ClaimTypes.Name, System.Security.Claims.ClaimTypes.Role));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, TicketScheme));
    }

    /// <inheritdoc />
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (FromCookie)
        {
            var returnUrl = Request.PathBase + Request.Path + Request.QueryString;
            Response.Redirect("/signin?returnUrl=" + Uri.EscapeDataString(returnUrl));
            return;
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"warden\"";
        var detail = Context.Items[FailureItem] as string
            ?? (Request.Headers.Authorization.Count > 0
                ? "The Authorization header must be 'Bearer <API key>'."
                : "This endpoint needs an API key: send 'Authorization: Bearer <API key>'.");
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "Authentication required.", detail);
    }

    /// <inheritdoc />
    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var required = Context.GetEndpoint()?.Metadata.GetMetadata<RequiresPermission>()?.Permission;
        var detail = required is { } p
            ? $"This needs the '{p}' permission, held by the role(s) {string.Join(", ", RolePermissions.RolesWith(p))}; your key has {string.Join(", ", Context.User.FindAll(System.Security.Claims.ClaimTypes.Role).Select(c => c.Value))}."
            : "Your key's roles do not allow this.";
        if (FromCookie)
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
            Response.ContentType = "text/plain; charset=utf-8";
            await Response.WriteAsync("Forbidden: " + detail);
            return;
        }

        Response.StatusCode = StatusCodes.Status403Forbidden;
        await WriteProblemAsync(StatusCodes.Status403Forbidden, "Permission denied.", detail);
    }

    private Task WriteProblemAsync(int status, string title, string detail) =>
        problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();

    private string? ReadBearer()
    {
        var header = Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}

/// <summary>Registers the schemes and one authorization policy per <see cref="Permission"/>.</summary>
public static class AccessSetup
{
    /// <summary>Adds API key authentication and permission policies.</summary>
    public static IHostApplicationBuilder AddWardenAccess(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ApiKeyService>();
        // One scheme that picks the key's source by path itself (rather than a policy scheme forwarding to one of two:
        // a handler and its tasks fewer on every request) and names the ticket after that source's scheme.
        builder.Services.AddAuthentication(ApiKeyClaims.SelectorScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyClaims.SelectorScheme,
                "API key (header for the API, cookie for the dashboard)", _ => { });

        // Each policy is one requirement that checks, once, what the authentication middleware already found: which
        // scheme authenticated the request (a dashboard cookie never satisfies an API policy, nor a bearer key a
        // dashboard one) and whether the key's roles grant the permission. The policies name no authentication scheme:
        // naming one would make the policy evaluator authenticate every request a second time and merge principals.
        builder.Services.AddSingleton<IAuthorizationHandler, SchemePermissionHandler>();
        var authorization = builder.Services.AddAuthorizationBuilder();
        foreach (var permission in Enum.GetValues<Permission>())
        {
            authorization.AddPolicy(RolePermissions.PolicyName(permission), policy => policy
                .AddRequirements(new SchemePermissionRequirement(ApiKeyClaims.ApiScheme, permission)));
        }

        authorization.AddPolicy(DashboardPolicy, policy => policy
            .AddRequirements(new SchemePermissionRequirement(ApiKeyClaims.DashboardScheme, null)));
        return builder;
    }

    /// <summary>The policy every dashboard page requires (a valid key in the cookie).</summary>
    public const string DashboardPolicy = "dashboard";

    /// <summary>Paths served to browsers (cookie authentication); everything else uses the Authorization header,
    /// so a cookie can never authorise an API call (no CSRF on the API).</summary>
    public static bool IsDashboardPath(PathString path) =>
        !path.StartsWithSegments("/api") && !path.StartsWithSegments("/v2") && !path.StartsWithSegments("/metrics");
}

/// <summary>Authorised when the request was authenticated by <paramref name="Scheme"/> (as recorded by the authentication
/// middleware) and, when <paramref name="Permission"/> is given, one of the principal's roles grants it.</summary>
public sealed record SchemePermissionRequirement(string Scheme, Permission? Permission) : IAuthorizationRequirement;

/// <summary>Evaluates <see cref="SchemePermissionRequirement"/> without allocating: no claim enumerators, no second
/// authentication.</summary>
internal sealed class SchemePermissionHandler : IAuthorizationHandler
{
    public Task HandleAsync(AuthorizationHandlerContext context)
    {
        foreach (var requirement in context.PendingRequirements)
        {
            if (requirement is SchemePermissionRequirement r && Satisfies(context, r))
            {
                context.Succeed(r);
            }
        }

        return Task.CompletedTask;
    }

    private static bool Satisfies(AuthorizationHandlerContext context, SchemePermissionRequirement requirement)
    {
        var http = context.Resource as HttpContext ?? (context.Resource as Microsoft.AspNetCore.Mvc.Filters.AuthorizationFilterContext)?.HttpContext;
        var ticket = http?.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Ticket;
        if (ticket is null || !string.Equals(ticket.AuthenticationScheme, requirement.Scheme, StringComparison.Ordinal)
            || !ReferenceEquals(ticket.Principal, context.User) || context.User.Identity?.IsAuthenticated != true)
        {
            return false;
        }

        if (requirement.Permission is not { } permission)
        {
            return true;
        }

        var identities = context.User.Identities as IList<System.Security.Claims.ClaimsIdentity> ?? [.. context.User.Identities];
        for (var i = 0; i < identities.Count; i++)
        {
            var identity = identities[i];
            var claims = identity.Claims as IList<System.Security.Claims.Claim> ?? [.. identity.Claims];
            for (var j = 0; j < claims.Count; j++)
            {
                if (claims[j].Type == identity.RoleClaimType && RolePermissions.Has(claims[j].Value, permission))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
