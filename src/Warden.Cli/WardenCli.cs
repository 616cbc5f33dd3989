using System.CommandLine;
using System.Net;
using Spectre.Console;
using Warden.Client;

namespace Warden.Cli;

/// <summary>Builds and runs the `warden` command tree. Output goes to an <see cref="IAnsiConsole"/> and errors to a
/// <see cref="TextWriter"/>, so tests run the real verbs in-process and read what a person would see.</summary>
public static class WardenCli
{
    /// <summary>Exit code: success.</summary>
    public const int Ok = 0;

    /// <summary>Exit code: the command failed (bad input, refused by the server, server unreachable).</summary>
    public const int Failed = 1;

    /// <summary>Exit code of `warden audit verify` when the chain is broken.</summary>
    public const int ChainBroken = 2;

    /// <summary>Runs the command line and returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole? console = null, TextWriter? error = null,
        System.Collections.IDictionary? environment = null)
    {
        var context = new CliContext(console ?? AnsiConsole.Console, error ?? Console.Error, environment ?? Environment.GetEnvironmentVariables());
        var root = Build(context);
        var parse = root.Parse(args);
        // The host handles SIGTERM/SIGINT itself (graceful shutdown), so System.CommandLine must not.
        var invocation = new InvocationConfiguration
        {
            ProcessTerminationTimeout = null,
            Output = console is null ? Console.Out : new AnsiWriter(context.Console),
            Error = context.Error,
        };
        return await parse.InvokeAsync(invocation);
    }

    /// <summary>The command tree.</summary>
    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand(
            "Warden: governed machine-learning model serving.\n" +
            "Remote verbs reach the server given by --server or WARDEN_URL (default https://127.0.0.1:5443) " +
            "with the key given by --api-key or WARDEN_API_KEY.");
        root.Options.Add(context.ServerOption);
        root.Options.Add(context.ApiKeyOption);
        root.Options.Add(context.TlsFingerprintOption);
        root.Subcommands.Add(ServeCommand.Build(context));
        root.Subcommands.Add(KeysCommands.Build(context));
        root.Subcommands.Add(AuditCommands.Build(context));
        root.Subcommands.Add(ModelsCommands.Build(context));
        root.Subcommands.Add(PiiCommands.Build(context));
        root.Subcommands.Add(PredictCommand.Build(context));
        root.Subcommands.Add(MonitorCommands.Build(context));
        root.Subcommands.Add(EventsCommands.Build(context));
        root.Subcommands.Add(AlertsCommands.Build(context));
        root.Subcommands.Add(ExperimentsCommands.Build(context));
        root.Subcommands.Add(StatusCommand.Build(context));
        return root;
    }
}

/// <summary>What every verb shares: the console, the error writer, the environment and the global options.</summary>
public sealed class CliContext(IAnsiConsole console, TextWriter error, System.Collections.IDictionary environment)
{
    /// <summary>Where results go.</summary>
    public IAnsiConsole Console { get; } = console;

    /// <summary>Where one-line errors go.</summary>
    public TextWriter Error { get; } = error;

    /// <summary>Environment variables (WARDEN_*).</summary>
    public System.Collections.IDictionary Environment { get; } = environment;

    /// <summary>--server.</summary>
    public Option<string?> ServerOption { get; } = new("--server")
    {
        Description = "Warden server URL (or WARDEN_URL; default https://127.0.0.1:5443)",
        Recursive = true,
    };

    /// <summary>--api-key.</summary>
    public Option<string?> ApiKeyOption { get; } = new("--api-key")
    {
        Description = "API key (or WARDEN_API_KEY)",
        Recursive = true,
    };

    /// <summary>--tls-fingerprint.</summary>
    public Option<string?> TlsFingerprintOption { get; } = new("--tls-fingerprint")
    {
        Description = "Trust the server's certificate by its SHA-256 fingerprint, as printed by `warden serve` (or WARDEN_TLS_FINGERPRINT). " +
                      "For a local server with a generated certificate the CLI reads it from the data folder (WARDEN_DATA or ./warden-data).",
        Recursive = true,
    };

    /// <summary>Reads an environment variable.</summary>
    public string? Env(string name) => Environment[name] as string is { Length: > 0 } value ? value : null;

    /// <summary>A client for the server named by the options or the environment.</summary>
    public WardenClient CreateClient(ParseResult parse)
    {
        var server = parse.GetValue(ServerOption) ?? Env("WARDEN_URL") ?? Warden.Server.Security.TlsSetup.DefaultUrls;
        if (!Uri.TryCreate(server.EndsWith('/') ? server : server + "/", UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            throw new CliException($"--server '{server}' is not an http(s) URL.");
        }

        var key = parse.GetValue(ApiKeyOption) ?? Env("WARDEN_API_KEY")
            ?? throw new CliException("no API key: pass --api-key or set WARDEN_API_KEY.");
        var fingerprint = parse.GetValue(TlsFingerprintOption) ?? Env("WARDEN_TLS_FINGERPRINT") ?? LocalFingerprint(uri);
        return new WardenClient(uri, key, fingerprint);
    }

    /// <summary>For a loopback server, the fingerprint of the certificate `warden serve` generated in the data folder.</summary>
    private string? LocalFingerprint(Uri server)
    {
        if (server.Scheme != Uri.UriSchemeHttps || !server.IsLoopback)
        {
            return null;
        }

        var path = Warden.Server.Security.TlsSetup.GeneratedPath(Env("WARDEN_DATA") ?? "./warden-data");
        if (!File.Exists(path))
        {
            return null;
        }

        using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(path, null);
        return Warden.Server.Security.TlsSetup.Fingerprint(certificate);
    }

    /// <summary>Runs a remote verb, turning every failure into one line on stderr and exit code 1.</summary>
    public async Task<int> RemoteAsync(ParseResult parse, Func<WardenClient, Task<int>> action)
    {
        try
        {
            using var client = CreateClient(parse);
            return await action(client);
        }
        catch (CliException e)
        {
            return Fail(e.Message);
        }
        catch (WardenApiException e)
        {
            var advice = e.Status switch
            {
                HttpStatusCode.Unauthorized => " (check --api-key / WARDEN_API_KEY)",
                HttpStatusCode.Forbidden => " (ask an admin for a key with the needed role)",
                _ => "",
            };
            return Fail(e.Message + advice + (e.RequestId is null ? "" : $" [request {e.RequestId}]"));
        }
        catch (HttpRequestException e)
        {
            return Fail($"cannot reach the Warden server: {e.Message}");
        }
        catch (TaskCanceledException)
        {
            return Fail("the server did not answer in time.");
        }
    }

    /// <summary>Writes "error: message" on one line and returns exit code 1.</summary>
    public int Fail(string message)
    {
        Error.WriteLine("error: " + message.ReplaceLineEndings(" "));
        return WardenCli.Failed;
    }
}

/// <summary>A mistake on the command line that is reported as one line.</summary>
public sealed class CliException(string message) : Exception(message);

/// <summary>Adapts an <see cref="IAnsiConsole"/> to a <see cref="TextWriter"/> for System.CommandLine's help output.</summary>
internal sealed class AnsiWriter(IAnsiConsole console) : TextWriter
{
    public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

    public override void Write(char value) => console.Profile.Out.Writer.Write(value);

    public override void Write(string? value) => console.Profile.Out.Writer.Write(value);
}
