using System.CommandLine;
using Spectre.Console;

namespace Warden.Cli;

/// <summary>`warden status`: which server, which version and storage, and who the key belongs to.</summary>
internal static class StatusCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("status", "Show the server's version and storage, and the identity of your key.");
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var info = await client.GetServerInfoAsync(ct);
            var me = await client.WhoAmIAsync(ct);
            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow("Server", Markup.Escape(client.BaseAddress?.ToString() ?? ""));
            grid.AddRow("Version", Markup.Escape(info.Version));
            grid.AddRow("Storage", $"{Markup.Escape(info.StorageEngine)} (schema v{info.SchemaVersion})");
            grid.AddRow("Up since", Output.Time(info.StartedAt));
            grid.AddRow("Key", Markup.Escape($"{me.Name} ({me.KeyId})"));
            grid.AddRow("Roles", Markup.Escape(string.Join(", ", me.Roles)));
            context.Console.Write(grid);
            return WardenCli.Ok;
        }));
        return command;
    }
}

/// <summary>Formatting shared by the verbs.</summary>
internal static class Output
{
    private static readonly System.Text.Json.JsonSerializerOptions Indented = new(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string Time(DateTimeOffset? t) => t is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss") : "—";

    public static void Json<T>(CliContext context, T value)
    {
        context.Console.Profile.Out.Writer.WriteLine(System.Text.Json.JsonSerializer.Serialize(value, Indented));
        context.Console.Profile.Out.Writer.Flush();
    }
}
