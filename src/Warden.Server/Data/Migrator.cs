using System.Globalization;
using System.Reflection;
using Dapper;

namespace Warden.Server.Data;

/// <summary>Applies the numbered SQL migrations embedded in this assembly (<c>Data/Migrations/NNNN_name[.sqlite|.postgres].sql</c>)
/// at start, each in its own transaction with its row in <c>schema_migrations</c>. Several replicas starting at once
/// are serialised by the database's own lock (advisory lock on PostgreSQL, the write lock on SQLite).</summary>
public sealed class Migrator(WardenDatabase database, ILogger<Migrator> logger)
{
    private const long PostgresLockKey = 0x5741_5244_454E; // "WARDEN"

    /// <summary>One migration script.</summary>
    public sealed record Migration(int Version, string Name, string Sql);

    /// <summary>The migrations for <paramref name="engine"/>, in order: <c>NNNN_name.sql</c> serves both engines unless
    /// an engine-specific <c>NNNN_name.sqlite.sql</c> / <c>NNNN_name.postgres.sql</c> replaces it.</summary>
    public static IReadOnlyList<Migration> Load(StorageEngine engine)
    {
        var own = engine == StorageEngine.Sqlite ? ".sqlite.sql" : ".postgres.sql";
        var other = engine == StorageEngine.Sqlite ? ".postgres.sql" : ".sqlite.sql";
        var assembly = typeof(Migrator).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("migrations/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal) && !n.EndsWith(other, StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n["migrations/".Length..^(n.EndsWith(own, StringComparison.Ordinal) ? own.Length : ".sql".Length)];
                var underscore = file.IndexOf('_', StringComparison.Ordinal);
                return (Specific: n.EndsWith(own, StringComparison.Ordinal),
                    Migration: new Migration(int.Parse(file[..underscore], CultureInfo.InvariantCulture), file[(underscore + 1)..], Read(assembly, n)));
            })
            .GroupBy(m => m.Migration.Version)
            .Select(g => g.OrderByDescending(m => m.Specific).First().Migration)
            .OrderBy(m => m.Version)
            .ToList();
    }

    /// <summary>Brings the schema up to date and returns the resulting schema version.</summary>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken = default)
    {
        if (database.Engine == StorageEngine.Sqlite)
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            // WAL lets readers proceed while a writer commits; it is stored in the file, so once is enough.
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
        }

        await using (var uow = await database.BeginAsync(cancellationToken))
        {
            await uow.ExecuteAsync(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                cancellationToken: cancellationToken);
            await uow.CommitAsync(cancellationToken);
        }

        var current = 0;
        foreach (var migration in Load(database.Engine))
        {
            await using var uow = await database.BeginAsync(cancellationToken);
            if (database.Engine == StorageEngine.PostgreSql)
            {
                await uow.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = PostgresLockKey }, cancellationToken);
            }

            var applied = await uow.QuerySingleOrDefaultAsync<long?>(
                "SELECT version FROM schema_migrations WHERE version = @v", new { v = migration.Version }, cancellationToken);
            if (applied is null)
            {
                await uow.ExecuteAsync(migration.Sql, cancellationToken: cancellationToken);
                await uow.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, @t)",
                    new { v = migration.Version, n = migration.Name, t = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
                    cancellationToken);
                await uow.CommitAsync(cancellationToken);
                logger.LogInformation("Applied migration {Version} {Name} on {Engine}", migration.Version, migration.Name, database.EngineName);
            }

            current = migration.Version;
        }

        return current;
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded migration {name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
