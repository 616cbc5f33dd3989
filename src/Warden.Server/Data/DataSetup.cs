using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Warden.Server.Platform;

namespace Warden.Server.Data;

/// <summary>Chooses the engine from configuration and registers the database, the migrator and its readiness check.</summary>
public static class DataSetup
{
    /// <summary>SQLite in the data folder, or PostgreSQL when a connection string is configured.</summary>
    public static IHostApplicationBuilder AddWardenData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<WardenOptions>>().Value;
            return string.IsNullOrWhiteSpace(options.PostgresConnectionString)
                ? WardenDatabase.ForSqlite(options.DataDirectory)
                : WardenDatabase.ForPostgres(options.PostgresConnectionString);
        });
        builder.Services.AddSingleton<Migrator>();
        builder.Services.AddSingleton<SchemaState>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }
}

/// <summary>The schema version reached at start (0 until migrations have run).</summary>
public sealed class SchemaState
{
    /// <summary>Last applied migration.</summary>
    public int Version { get; set; }
}

/// <summary>Ready when migrations have run and the database answers a trivial query.</summary>
internal sealed class DatabaseHealthCheck(WardenDatabase database, SchemaState schema) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (schema.Version == 0)
        {
            return HealthCheckResult.Unhealthy("migrations have not run yet");
        }

        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy($"{database.EngineName} schema v{schema.Version}");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"{database.EngineName} unreachable", e);
        }
    }
}
