using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Warden.Server.Tests.Infrastructure;

/// <summary>A real PostgreSQL for the tests: the server named by WARDEN_TEST_POSTGRES (an admin connection string),
/// or else a throwaway cluster that this process creates with Debian's initdb/pg_ctl on a free loopback port and
/// stops when the test run ends. Each test gets a database of its own.</summary>
public static class PostgresServer
{
    private static readonly Lazy<Task<string>> Admin = new(StartAsync);
    private static string? _clusterDirectory;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var admin = await Admin.Value;
        var name = "warden_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(await Admin.Value);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("WARDEN_TEST_POSTGRES") is { Length: > 0 } configured)
        {
            return configured;
        }

        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException(
                "PostgreSQL is not installed: run ./scripts/test.sh (it installs Debian's postgresql) or set WARDEN_TEST_POSTGRES to an admin connection string.");
        }

        var directory = Path.Combine(Path.GetTempPath(), $"warden-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(directory);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            // PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
            await RunAsync("chown", $"postgres:postgres {directory}");
        }

        var port = FreePort();
        var data = Path.Combine(directory, "data");
        await RunPostgresToolAsync(asRoot, Path.Combine(bin, "initdb"), $"-D {data} -U postgres -A trust --no-sync -E UTF8");
        await RunPostgresToolAsync(asRoot, Path.Combine(bin, "pg_ctl"),
            $"-D {data} -l {directory}/server.log -w -t 60 -o \"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200\" start");
        _clusterDirectory = directory;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop(asRoot, bin, data, directory);
        return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Include Error Detail=true";
    }

    private static void Stop(bool asRoot, string bin, string data, string directory)
    {
        try
        {
            RunPostgresToolAsync(asRoot, Path.Combine(bin, "pg_ctl"), $"-D {data} -m immediate stop").GetAwaiter().GetResult();
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception)
        {
            // Best effort at process exit; the temp folder is all that can be left behind.
        }
    }

    private static Task RunPostgresToolAsync(bool asRoot, string tool, string arguments) =>
        asRoot ? RunAsync("runuser", $"-u postgres -- {tool} {arguments}") : RunAsync(tool, arguments);

    private static async Task RunAsync(string file, string arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Where the throwaway cluster lives, when this process started one.</summary>
    public static string? ClusterDirectory => _clusterDirectory;
}
