using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>Table-driven: every /api endpoint the server maps declares a permission, answers 401 without a key and
/// 403 to each role that lacks the permission, and lets each role that holds it through. New endpoints are covered
/// automatically because the table is read from the running server's endpoint list.</summary>
public sealed class AuthorizationMatrixTests : IAsyncLifetime
{
    private WardenTestHost _host = null!;
    private readonly Dictionary<string, string> _keyByRole = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        _host = await WardenTestHost.StartAsync();
        foreach (var role in Roles.All)
        {
            _keyByRole[role] = await _host.CreateKeyAsync(role);
        }
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private sealed record ApiEndpoint(string Method, string Path, Permission Permission, string ContentType);

    private List<ApiEndpoint> ApiEndpoints()
    {
        var sources = _host.App.Services.GetRequiredService<EndpointDataSource>();
        var list = new List<ApiEndpoint>();
        foreach (var endpoint in sources.Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (!pattern.StartsWith("/api/", StringComparison.Ordinal))
            {
                continue;
            }

            var permission = endpoint.Metadata.GetMetadata<RequiresPermission>();
            Assert.True(permission is not null, $"{pattern} declares no permission");
            var path = System.Text.RegularExpressions.Regex.Replace(pattern, "\\{([^}:]+)(:[^}]+)?\\}",
                m => m.Groups[2].Value.Contains("long", StringComparison.Ordinal) || m.Groups[2].Value.Contains("int", StringComparison.Ordinal) ? "1" : "k_doesnotexist");
            // Endpoints that declare a request content type (uploads) are called with it, so routing does not answer 415 first.
            var contentType = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.ContentTypes is { Count: > 0 } types ? types[0] : "application/json";
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods)
            {
                list.Add(new ApiEndpoint(method, path, permission!.Permission, contentType));
            }
        }

        return list;
    }

    private async Task<HttpResponseMessage> CallAsync(ApiEndpoint endpoint, string? key)
    {
        using var http = _host.Http();
        using var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), endpoint.Path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (endpoint.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = endpoint.ContentType.StartsWith("multipart/", StringComparison.Ordinal)
                ? new MultipartFormDataContent { { new StringContent("x"), "unused" } }
                : new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request);
    }

    [Fact]
    public async Task Every_api_endpoint_needs_a_key()
    {
        var endpoints = ApiEndpoints();
        Assert.True(endpoints.Count >= 8, "the endpoint table looks incomplete");
        foreach (var endpoint in endpoints)
        {
            using var response = await CallAsync(endpoint, key: null);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{endpoint.Method} {endpoint.Path} answered {(int)response.StatusCode} without a key");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_unknown_or_malformed_key_is_refused()
    {
        var endpoint = ApiEndpoints().First(e => e.Permission == Permission.Authenticated);
        foreach (var key in new[] { ApiKeyService.NewSecret(), "not-a-warden-key", "wdn_" })
        {
            using var response = await CallAsync(endpoint, key);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task Each_role_gets_exactly_what_the_permission_table_grants()
    {
        foreach (var endpoint in ApiEndpoints())
        {
            foreach (var role in Roles.All)
            {
                using var response = await CallAsync(endpoint, _keyByRole[role]);
                var allowed = RolePermissions.Has(role, endpoint.Permission);
                if (allowed)
                {
                    Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
                        $"{role} should reach {endpoint.Method} {endpoint.Path} but got {(int)response.StatusCode}");
                    Assert.True((int)response.StatusCode < 500, $"{endpoint.Method} {endpoint.Path} answered {(int)response.StatusCode} to {role}");
                }
                else
                {
                    Assert.True(response.StatusCode == HttpStatusCode.Forbidden,
                        $"{role} must not use {endpoint.Method} {endpoint.Path} but got {(int)response.StatusCode}");
                    var body = await response.Content.ReadAsStringAsync();
                    Assert.Contains(endpoint.Permission.ToString(), body, StringComparison.Ordinal);
                }
            }
        }
    }

    [Fact]
    public async Task A_cookie_never_authenticates_the_api()
    {
        using var http = _host.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Add("Cookie", $"{ApiKeyClaims.Cookie}={_host.AdminKey}");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public void Admin_holds_every_permission_and_viewer_only_reads()
    {
        Assert.All(Enum.GetValues<Permission>(), p => Assert.True(RolePermissions.Has(Roles.Admin, p)));
        Assert.All(Enum.GetValues<Permission>().Where(p => RolePermissions.Has(Roles.Viewer, p)),
            p => Assert.True(p is Permission.Authenticated or Permission.ReadModels or Permission.UsePrivacyTools, $"viewer must not hold {p}"));
        Assert.False(RolePermissions.Has(Roles.Developer, Permission.ApproveModels));
        Assert.False(RolePermissions.Has(Roles.Developer, Permission.ValidateModels));
    }
}

/// <summary>The permission requirement judges what the authentication middleware found, without authenticating again.</summary>
public sealed class SchemePermissionHandlerTests
{
    private static async Task<bool> AuthorizedAsync(string ticketScheme, string role, SchemePermissionRequirement requirement, bool samePrincipal = true)
    {
        var principal = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new(ApiKeyClaims.KeyId, "key_1"), new(System.Security.Claims.ClaimTypes.Role, role)], ApiKeyClaims.ApiScheme,
            System.Security.Claims.ClaimTypes.Name, System.Security.Claims.ClaimTypes.Role));
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext { User = principal };
        var ticket = new Microsoft.AspNetCore.Authentication.AuthenticationTicket(samePrincipal ? principal : new(principal.Identities), ticketScheme);
        http.Features.Set<Microsoft.AspNetCore.Authentication.IAuthenticateResultFeature>(new AuthenticateResultFeature(
            Microsoft.AspNetCore.Authentication.AuthenticateResult.Success(ticket)));
        var context = new Microsoft.AspNetCore.Authorization.AuthorizationHandlerContext([requirement], principal, http);
        await new SchemePermissionHandler().HandleAsync(context);
        return context.HasSucceeded;
    }

    private sealed class AuthenticateResultFeature(Microsoft.AspNetCore.Authentication.AuthenticateResult result)
        : Microsoft.AspNetCore.Authentication.IAuthenticateResultFeature
    {
        public Microsoft.AspNetCore.Authentication.AuthenticateResult? AuthenticateResult { get; set; } = result;
    }

    [Fact]
    public async Task A_role_that_grants_the_permission_passes_only_when_the_api_scheme_authenticated_the_request()
    {
        var predict = new SchemePermissionRequirement(ApiKeyClaims.ApiScheme, Permission.Predict);
        Assert.True(await AuthorizedAsync(ApiKeyClaims.ApiScheme, Roles.Developer, predict));
        Assert.False(await AuthorizedAsync(ApiKeyClaims.ApiScheme, Roles.Viewer, predict)); // viewer cannot predict
        Assert.False(await AuthorizedAsync(ApiKeyClaims.DashboardScheme, Roles.Admin, predict)); // a cookie never satisfies an API policy
        Assert.False(await AuthorizedAsync(ApiKeyClaims.ApiScheme, Roles.Admin, predict, samePrincipal: false)); // the user was replaced after authentication
    }

    [Fact]
    public async Task The_dashboard_policy_needs_the_cookie_scheme_and_any_role()
    {
        var dashboard = new SchemePermissionRequirement(ApiKeyClaims.DashboardScheme, null);
        Assert.True(await AuthorizedAsync(ApiKeyClaims.DashboardScheme, Roles.Viewer, dashboard));
        Assert.False(await AuthorizedAsync(ApiKeyClaims.ApiScheme, Roles.Admin, dashboard));
    }

    [Fact]
    public async Task No_authentication_result_means_no_authorization()
    {
        var principal = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            [new(System.Security.Claims.ClaimTypes.Role, Roles.Admin)], ApiKeyClaims.ApiScheme));
        var requirement = new SchemePermissionRequirement(ApiKeyClaims.ApiScheme, Permission.ReadModels);
        var context = new Microsoft.AspNetCore.Authorization.AuthorizationHandlerContext([requirement], principal,
            new Microsoft.AspNetCore.Http.DefaultHttpContext { User = principal });
        await new SchemePermissionHandler().HandleAsync(context);
        Assert.False(context.HasSucceeded);
    }
}
