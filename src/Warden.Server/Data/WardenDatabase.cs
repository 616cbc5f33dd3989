using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Warden.Server.Data;

/// <summary>The two relational engines Warden runs on.</summary>
public enum StorageEngine
{
    /// <summary>Embedded SQLite in the data folder (the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL server (for several replicas or larger installations).</summary>
    PostgreSql,
}

/// <summary>The control-plane database: opens connections and units of work for either engine.
/// SQL is written once in the common subset of both dialects; the few differences are properties here.</summary>
public sealed class WardenDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqliteConnectionString;

    static WardenDatabase() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    private WardenDatabase(StorageEngine engine, string? sqlite, NpgsqlDataSource? postgres, string description)
    {
        Engine = engine;
        _sqliteConnectionString = sqlite;
        _postgres = postgres;
        Description = description;
    }

    /// <summary>Which engine this database runs on.</summary>
    public StorageEngine Engine { get; }

    /// <summary>Where the data lives, without secrets (for logs and the dashboard).</summary>
    public string Description { get; }

    /// <summary>The engine's name as shown to people: "sqlite" or "postgresql".</summary>
    public string EngineName => Engine == StorageEngine.Sqlite ? "sqlite" : "postgresql";

    /// <summary>An embedded SQLite database file <c>warden.db</c> in <paramref name="dataDirectory"/> (created when missing).</summary>
    public static WardenDatabase ForSqlite(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.GetFullPath(Path.Combine(dataDirectory, "warden.db"));
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Microsoft.Data.Sqlite retries SQLITE_BUSY until the command timeout, which serialises writers politely.
            DefaultTimeout = 30,
        }.ToString();
        return new WardenDatabase(StorageEngine.Sqlite, connectionString, null, path);
    }

    /// <summary>A PostgreSQL database reached through <paramref name="connectionString"/>.</summary>
    public static WardenDatabase ForPostgres(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var description = $"{builder.Host}:{builder.Port}/{builder.Database}";
        return new WardenDatabase(StorageEngine.PostgreSql, null, NpgsqlDataSource.Create(builder), description);
    }

    /// <summary>Opens a connection, configured for Warden (WAL and full sync on SQLite).</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken);
        }

        var connection = new SqliteConnection(_sqliteConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // WAL is a property of the file (set by the migrator); these two are per connection.
            await connection.ExecuteAsync("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Begins a unit of work: one transaction in which a change and its audit record are written together.
    /// On SQLite the transaction takes the write lock at once (BEGIN IMMEDIATE), so concurrent writers queue instead of failing.</summary>
    public async Task<UnitOfWork> BeginAsync(CancellationToken cancellationToken = default)
    {
        var connection = await OpenAsync(cancellationToken);
        try
        {
            var transaction = connection is SqliteConnection sqlite
                ? sqlite.BeginTransaction(deferred: false)
                : await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            return new UnitOfWork(this, connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>"(@name0, @name1, …)" with one parameter per value added to <paramref name="parameters"/>: an IN list that
    /// both engines accept (Dapper passes lists to Npgsql as arrays, which "IN @x" cannot take).</summary>
    public static string InList(DynamicParameters parameters, string name, IReadOnlyList<string> values)
    {
        var names = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            names[i] = $"@{name}{i}";
            parameters.Add($"{name}{i}", values[i]);
        }

        return "(" + string.Join(", ", names) + ")";
    }

    /// <summary>True when <paramref name="exception"/> is a unique-constraint violation on either engine.</summary>
    public static bool IsUniqueViolation(Exception exception) => exception switch
    {
        SqliteException s => s.SqliteErrorCode == 19 && s.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

/// <summary>One transaction. Dispose without <see cref="CommitAsync"/> rolls everything back, audit record included.</summary>
public sealed class UnitOfWork : IAsyncDisposable
{
    private bool _committed;

    internal UnitOfWork(WardenDatabase database, DbConnection connection, DbTransaction transaction)
    {
        Database = database;
        Connection = connection;
        Transaction = transaction;
    }

    /// <summary>The database this unit belongs to.</summary>
    public WardenDatabase Database { get; }

    /// <summary>The open connection.</summary>
    public DbConnection Connection { get; }

    /// <summary>The open transaction; pass it to every command.</summary>
    public DbTransaction Transaction { get; }

    /// <summary>Actions to run after a successful commit (cache invalidation, notifications).</summary>
    private List<Action>? _afterCommit;

    /// <summary>Runs <paramref name="action"/> once the transaction has committed, never if it rolls back.</summary>
    public void AfterCommit(Action action) => (_afterCommit ??= []).Add(action);

    /// <summary>Executes a statement inside the transaction.</summary>
    public Task<int> ExecuteAsync(string sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        Connection.ExecuteAsync(new CommandDefinition(sql, parameters, Transaction, cancellationToken: cancellationToken));

    /// <summary>Queries rows inside the transaction.</summary>
    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        Connection.QueryAsync<T>(new CommandDefinition(sql, parameters, Transaction, cancellationToken: cancellationToken));

    /// <summary>Queries one row or none inside the transaction.</summary>
    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        Connection.QuerySingleOrDefaultAsync<T>(new CommandDefinition(sql, parameters, Transaction, cancellationToken: cancellationToken));

    /// <summary>Commits the change and its audit record together.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        await Transaction.CommitAsync(cancellationToken);
        _committed = true;
        foreach (var action in _afterCommit ?? [])
        {
            action();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_committed)
        {
            try
            {
                await Transaction.RollbackAsync();
            }
            catch (InvalidOperationException)
            {
                // Already completed or the connection broke; nothing was committed either way.
            }
        }

        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
