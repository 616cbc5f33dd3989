using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using Warden.Server.Access;

namespace Warden.Server.Platform;

/// <summary>The OpenAPI document (/openapi/v1.json) with the bearer scheme and each operation's permission, and the
/// interactive API reference (/scalar).</summary>
public static class OpenApiSetup
{
    /// <summary>Registers document generation.</summary>
    public static IHostApplicationBuilder AddWardenOpenApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi("v1", options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true
                || description.RelativePath?.StartsWith("v2", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Warden API",
                    Version = "v1",
                    Description = "Governed machine-learning model serving. Every /api route needs 'Authorization: Bearer <API key>'; " +
                        "errors are RFC 7807 problem details carrying a requestId.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["ApiKey"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "wdn_…",
                    Description = "A Warden API key (warden keys create).",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var permission = context.Description.ActionDescriptor.EndpointMetadata.OfType<RequiresPermission>().LastOrDefault();
                if (permission is not null)
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement
                    {
                        [new OpenApiSecuritySchemeReference("ApiKey", context.Document)] = [],
                    });
                    var roles = string.Join(", ", RolePermissions.RolesWith(permission.Permission));
                    operation.Description = $"{operation.Description}\n\nRequires permission `{permission.Permission}` (roles: {roles}).".Trim();
                    operation.Responses ??= new OpenApiResponses();
                    operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No valid API key (problem details)." });
                    operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The key's roles do not grant the permission (problem details)." });
                }

                return Task.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary>Maps /openapi/v1.json and the API reference page at /scalar.</summary>
    public static WebApplication MapWardenOpenApi(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/scalar", options => options
            .WithTitle("Warden API reference")
            .AddPreferredSecuritySchemes("ApiKey")).AllowAnonymous();
        return app;
    }
}
