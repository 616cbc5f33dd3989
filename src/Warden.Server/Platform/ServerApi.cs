using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Data;

namespace Warden.Server.Platform;

/// <summary>/api/v1/server: version, storage engine and schema, for any key.</summary>
public static class ServerApi
{
    /// <summary>When this process started serving.</summary>
    public static DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>Warden's version string.</summary>
    public static string Version { get; } =
        typeof(ServerApi).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Maps the route.</summary>
    public static RouteHandlerBuilder MapServerApi(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/v1/server", (WardenDatabase database, SchemaState schema) =>
                TypedResults.Ok(new ServerInfo(Version, database.EngineName, schema.Version, StartedAt)))
            .WithTags("Server").WithName("GetServerInfo").WithSummary("Version, storage engine and schema version")
            .RequirePermission(Permission.Authenticated);
}
