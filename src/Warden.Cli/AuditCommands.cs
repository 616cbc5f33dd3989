using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Warden.Contracts;

namespace Warden.Cli;

/// <summary>`warden audit list|verify`.</summary>
internal static class AuditCommands
{
    public static Command Build(CliContext context)
    {
        var audit = new Command("audit", "Read and verify the tamper-evident audit log.");
        audit.Subcommands.Add(List(context));
        audit.Subcommands.Add(Verify(context));
        return audit;
    }

    private static Command List(CliContext context)
    {
        var actor = new Option<string?>("--actor") { Description = "Only records by this key id" };
        var action = new Option<string?>("--action") { Description = "Only actions starting with this (e.g. keys.)" };
        var target = new Option<string?>("--target") { Description = "Only targets starting with this (e.g. key:)" };
        var since = new Option<string?>("--since") { Description = "Only records at or after this UTC time" };
        var until = new Option<string?>("--until") { Description = "Only records before this UTC time" };
        var page = new Option<int>("--page") { Description = "Page number, newest first", DefaultValueFactory = _ => 1 };
        var pageSize = new Option<int>("--page-size") { Description = "Records per page (1–500)", DefaultValueFactory = _ => 50 };
        var json = KeysCommands.JsonOption();
        var command = new Command("list", "List audit records, newest first.") { actor, action, target, since, until, page, pageSize, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var result = await client.ListAuditAsync(new AuditQuery
            {
                Actor = parse.GetValue(actor),
                Action = parse.GetValue(action),
                Target = parse.GetValue(target),
                Since = ParseTime("--since", parse.GetValue(since)),
                Until = ParseTime("--until", parse.GetValue(until)),
                Page = parse.GetValue(page),
                PageSize = parse.GetValue(pageSize),
            }, ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, result);
                return WardenCli.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("#", "When (UTC)", "Who", "Action", "Target", "Outcome", "Request");
            foreach (var r in result.Items)
            {
                var outcome = r.Outcome == AuditOutcome.Success ? "[green]success[/]" : $"[red]{Markup.Escape(r.Outcome)}[/]";
                table.AddRow(r.Sequence.ToString(CultureInfo.InvariantCulture), Output.Time(r.At), Markup.Escape($"{r.ActorName} ({r.ActorKeyId})"),
                    Markup.Escape(r.Action), Markup.Escape(r.Target), outcome, Markup.Escape(r.RequestId));
            }

            context.Console.Write(table);
            context.Console.MarkupLine($"[grey]page {result.PageNumber} · {result.Items.Count} of {result.Total} record(s)[/]");
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Verify(CliContext context)
    {
        var json = KeysCommands.JsonOption();
        var command = new Command("verify",
            "Recompute the audit hash chain on the server and name the first broken record. Exit code 0: intact; 2: broken; 1: could not check.") { json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var result = await context.Console.Status().StartAsync("Recomputing the audit hash chain…", _ => client.VerifyAuditAsync(ct));
            if (parse.GetValue(json))
            {
                Output.Json(context, result);
            }
            else if (result.Intact)
            {
                context.Console.MarkupLine($"[green]Audit chain intact[/]: {result.RecordsChecked:N0} record(s), head #{result.HeadSequence} {result.HeadHash}");
            }
            else
            {
                context.Console.MarkupLine($"[red]Audit chain BROKEN[/] at record #{result.FirstBrokenSequence}: {Markup.Escape(result.Problem ?? "")}");
                context.Console.MarkupLine($"Records before it verify (last good: #{result.HeadSequence} {result.HeadHash}).");
            }

            return result.Intact ? WardenCli.Ok : WardenCli.ChainBroken;
        }));
        return command;
    }

    private static DateTimeOffset? ParseTime(string option, string? text) =>
        string.IsNullOrWhiteSpace(text) ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t
        : throw new CliException($"{option} '{text}' is not a date/time (e.g. 2026-11-26 or 2026-11-26T12:00Z).");
}
