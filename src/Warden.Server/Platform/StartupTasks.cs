using Warden.Server.Access;
using Warden.Server.Data;

namespace Warden.Server.Platform;

/// <summary>Runs before the server accepts requests: applies migrations, then creates the bootstrap admin key
/// on a first start and prints it once.</summary>
internal sealed partial class StartupTasks(
    Migrator migrator,
    SchemaState schema,
    ApiKeyService keys,
    WardenDatabase database,
    BootstrapKeyOutput output,
    ILogger<StartupTasks> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        _ = ServerApi.StartedAt;
        LogStorage(logger, database.EngineName, database.Description);
        schema.Version = await migrator.MigrateAsync(cancellationToken);
        if (await keys.EnsureBootstrapKeyAsync(cancellationToken) is { } secret)
        {
            output.Write(secret);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage: {Engine} at {Location}")]
    private static partial void LogStorage(ILogger logger, string engine, string location);
}

/// <summary>Where the generated bootstrap key is shown: the console, never the log (log sinks keep copies).</summary>
public class BootstrapKeyOutput
{
    /// <summary>The last key written, for hosts that embed the server (tests).</summary>
    public string? LastKey { get; private set; }

    /// <summary>Shows the key once.</summary>
    public virtual void Write(string secret)
    {
        LastKey = secret;
        Console.Out.WriteLine();
        Console.Out.WriteLine("  Warden created the first admin API key. It is shown this once and never stored in clear:");
        Console.Out.WriteLine();
        Console.Out.WriteLine("      " + secret);
        Console.Out.WriteLine();
        Console.Out.WriteLine("  Keep it in a secret store; use it to create personal keys (warden keys create) and then revoke it.");
        Console.Out.WriteLine();
        Console.Out.Flush();
    }

    /// <summary>The TLS certificate fingerprint, for people and tools to pin.</summary>
    public string? TlsFingerprint { get; private set; }

    /// <summary>Shows the TLS certificate's fingerprint at every start (a generated one cannot be checked any other way).</summary>
    public virtual void WriteTlsFingerprint(string fingerprint, bool generated)
    {
        TlsFingerprint = fingerprint;
        Console.Out.WriteLine($"  TLS certificate{(generated ? " (self-signed, generated now)" : "")} SHA-256 fingerprint: {fingerprint}");
        Console.Out.Flush();
    }
}
