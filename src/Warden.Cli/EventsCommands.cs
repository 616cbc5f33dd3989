using System.CommandLine;
using System.Globalization;
using System.Text;
using Spectre.Console;

namespace Warden.Cli;

/// <summary>`warden events ingest FILE`: posts prediction and feedback events (JSON lines, or a JSON array) in batches.</summary>
internal static class EventsCommands
{
    public static Command Build(CliContext context)
    {
        var events = new Command("events", "Post prediction and feedback events (delayed ground truth) for monitoring.");
        events.Subcommands.Add(Ingest(context));
        return events;
    }

    private static Command Ingest(CliContext context)
    {
        var file = new Argument<FileInfo>("file") { Description = "JSON lines (one event per line) or a JSON array; '-' reads standard input" };
        var batch = new Option<int>("--batch") { Description = "Events per request (1–10000)", DefaultValueFactory = _ => 5_000 };
        var command = new Command("ingest", "Post events from a file in batches; each batch is acknowledged once durable, and re-posting is harmless (idempotent by eventId).")
            { file, batch };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var size = parse.GetValue(batch);
            if (size is < 1 or > 10_000)
            {
                throw new CliException("--batch must be between 1 and 10000");
            }

            var path = parse.GetValue(file)!;
            string text;
            if (path.Name == "-")
            {
                text = await Console.In.ReadToEndAsync(ct);
            }
            else if (!path.Exists)
            {
                throw new CliException($"file '{path.FullName}' does not exist");
            }
            else
            {
                text = await File.ReadAllTextAsync(path.FullName, ct);
            }

            var trimmed = text.TrimStart();
            var lines = trimmed.StartsWith('[')
                ? System.Text.Json.JsonDocument.Parse(trimmed).RootElement.EnumerateArray().Select(e => e.GetRawText()).ToList()
                : text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            int accepted = 0, duplicates = 0, rejected = 0;
            for (var offset = 0; offset < lines.Count; offset += size)
            {
                var chunk = lines.Skip(offset).Take(size).ToList();
                var result = await client.IngestEventLinesAsync(string.Join('\n', chunk), ct);
                accepted += result.Accepted;
                duplicates += result.Duplicates;
                rejected += result.Rejected.Count;
                foreach (var r in result.Rejected.Take(5))
                {
                    context.Console.MarkupLine($"[yellow]event {offset + r.Index + 1}: {Markup.Escape(r.Field)}: {Markup.Escape(r.Message)}[/]");
                }
            }

            context.Console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"{accepted:N0} event(s) stored, {duplicates:N0} already stored, {rejected:N0} refused, of {lines.Count:N0}."));
            return rejected > 0 && accepted == 0 ? WardenCli.Failed : WardenCli.Ok;
        }));
        return command;
    }
}
