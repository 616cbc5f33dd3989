using System.CommandLine;
using Warden.Server;

namespace Warden.Cli;

/// <summary>`warden serve`: runs the server in this process until SIGTERM/Ctrl+C, then drains in-flight requests.</summary>
internal static class ServeCommand
{
    public static Command Build(CliContext context)
    {
        var urls = new Option<string?>("--urls") { Description = "Addresses to listen on, ';'-separated (or WARDEN_URLS; default https://127.0.0.1:5443 with a generated certificate; plain http:// only on loopback)" };
        var data = new Option<string?>("--data") { Description = "Data folder for the embedded database and files (or WARDEN_DATA; default ./warden-data)" };
        var postgres = new Option<string?>("--postgres") { Description = "PostgreSQL connection string; replaces embedded SQLite (or WARDEN_POSTGRES)" };
        var logFormat = new Option<string?>("--log-format") { Description = "Console log format: text or json (or WARDEN_LOG_FORMAT)" };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var command = new Command("serve", "Start the Warden server (API, dashboard, metrics) in this process.") { urls, data, postgres, logFormat };
        command.SetAction(async (parse, _) =>
        {
            var args = new List<string>();
            AddArg(args, "urls", parse.GetValue(urls));
            AddArg(args, "Warden:DataDirectory", parse.GetValue(data));
            AddArg(args, "Warden:PostgresConnectionString", parse.GetValue(postgres));
            AddArg(args, "Warden:LogFormat", parse.GetValue(logFormat));
            try
            {
                await using var app = WardenApp.Create([.. args]);
                // The host owns SIGTERM/SIGINT: it stops accepting, finishes in-flight requests, then returns.
                await app.RunAsync();
                return WardenCli.Ok;
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or Microsoft.Extensions.Options.OptionsValidationException
                                          or System.Net.Sockets.SocketException or Npgsql.NpgsqlException or ArgumentException)
            {
                return context.Fail($"the server could not start: {e.Message}");
            }
        });
        return command;
    }

    private static void AddArg(List<string> args, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            args.Add($"--{key}={value}");
        }
    }
}
