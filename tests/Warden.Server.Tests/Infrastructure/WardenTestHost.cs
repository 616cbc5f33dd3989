using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Warden.Client;
using Warden.Contracts;
using Warden.Server.Access;
using Warden.Server.Data;

namespace Warden.Server.Tests.Infrastructure;

/// <summary>The real Warden application on a real Kestrel socket (127.0.0.1, free port), over a real SQLite file in a
/// temp folder or a fresh PostgreSQL database. Tests talk to it through <see cref="WardenClient"/> or plain HTTP.</summary>
public sealed class WardenTestHost : IAsyncDisposable
{
    private readonly string _dataDirectory;
    private readonly string? _postgres;
    private readonly bool _ownsData;

    private WardenTestHost(WebApplication app, string engine, string dataDirectory, string? postgres, string adminKey, FakeTimeProvider? clock, bool ownsData)
    {
        App = app;
        Engine = engine;
        _dataDirectory = dataDirectory;
        _postgres = postgres;
        AdminKey = adminKey;
        Clock = clock;
        _ownsData = ownsData;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
    }

    /// <summary>Both engines, for theories: every storage test runs on each.</summary>
    public static TheoryData<string> Engines => new() { "sqlite", "postgresql" };

    /// <summary>The running application.</summary>
    public WebApplication App { get; }

    /// <summary>"sqlite" or "postgresql".</summary>
    public string Engine { get; }

    /// <summary>http://127.0.0.1:port/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The bootstrap admin key.</summary>
    public string AdminKey { get; }

    /// <summary>The fake clock, when the host was started with one.</summary>
    public FakeTimeProvider? Clock { get; }

    /// <summary>The server's database.</summary>
    public WardenDatabase Database => App.Services.GetRequiredService<WardenDatabase>();

    /// <summary>A fresh data folder (or database) for <paramref name="engine"/>, then a running server on it.</summary>
    public static async Task<WardenTestHost> StartAsync(string engine = "sqlite", bool fakeClock = false,
        IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var data = Path.Combine(Path.GetTempPath(), "warden-test-" + Guid.NewGuid().ToString("N"));
        var postgres = engine == "postgresql" ? await PostgresServer.CreateDatabaseAsync() : null;
        return await StartOnAsync(engine, data, postgres, ApiKeyService.NewSecret(), fakeClock, settings, configure, ownsData: true);
    }

    /// <summary>A server over existing data (to test restarts).</summary>
    public static async Task<WardenTestHost> StartOnAsync(string engine, string dataDirectory, string? postgres, string bootstrapKey,
        bool fakeClock = false, IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null, bool ownsData = false)
    {
        var args = new List<string>
        {
            "--urls=http://127.0.0.1:0",
            $"--Warden:DataDirectory={dataDirectory}",
            $"--Warden:BootstrapKey={bootstrapKey}",
            "--Logging:LogLevel:Default=Warning",
        };
        if (postgres is not null)
        {
            args.Add($"--Warden:PostgresConnectionString={postgres}");
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            args.Add($"--{key}={value}");
        }

        var clock = fakeClock ? new FakeTimeProvider(DateTimeOffset.UtcNow) : null;
        var app = WardenApp.Create([.. args], builder =>
        {
            if (clock is not null)
            {
                builder.Services.AddSingleton<TimeProvider>(clock);
            }

            configure?.Invoke(builder);
        });
        await app.StartAsync();
        return new WardenTestHost(app, engine, dataDirectory, postgres, bootstrapKey, clock, ownsData);
    }

    /// <summary>Where this host keeps its files.</summary>
    public string DataDirectory => _dataDirectory;

    /// <summary>The PostgreSQL connection string, when on PostgreSQL.</summary>
    public string? PostgresConnectionString => _postgres;

    /// <summary>A client with the given key (the admin key by default).</summary>
    public WardenClient Client(string? key = null) => new(BaseAddress, key ?? AdminKey);

    /// <summary>A plain HTTP client with no key.</summary>
    public HttpClient Http() => new() { BaseAddress = BaseAddress };

    /// <summary>Creates a key holding <paramref name="roles"/> and returns its secret.</summary>
    public async Task<string> CreateKeyAsync(params string[] roles)
    {
        using var admin = Client();
        var created = await admin.CreateKeyAsync(new CreateApiKeyRequest($"test-{string.Join('-', roles)}-{Guid.NewGuid():N}"[..40], roles));
        return created.Secret;
    }

    /// <summary>Runs raw SQL against the server's database, as an attacker or a DBA with direct access would.</summary>
    public async Task<int> ExecuteSqlAsync(string sql)
    {
        await using var connection = await Database.OpenAsync();
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>Stops the server (gracefully) without deleting its data.</summary>
    public async Task StopAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await App.StopAsync();
        }
        catch (ObjectDisposedException)
        {
            // Already stopped by the test.
        }

        await App.DisposeAsync();
        if (_ownsData)
        {
            if (_postgres is not null)
            {
                await PostgresServer.DropDatabaseAsync(_postgres);
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open by a finishing request; the temp folder is cleaned by the OS.
            }
        }
    }
}
