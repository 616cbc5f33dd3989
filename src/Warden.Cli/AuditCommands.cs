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
        audit.Subcommands.Add(Export(context));
        audit.Subcommands.Add(CheckpointCommand(context));
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
        var offline = new Option<FileInfo?>("--offline") { Description = "Verify an exported bundle (warden audit export) without the server" };
        var publicKey = new Option<FileInfo?>("--public-key") { Description = "With --offline: the log's public key (PEM) obtained out of band; without it the bundle's own key is used" };
        var earlier = new Option<FileInfo[]>("--checkpoint") { Description = "With --offline: a checkpoint you kept earlier (warden audit checkpoint); must be consistent (repeat)", AllowMultipleArgumentsPerToken = true };
        var command = new Command("verify",
            "Recompute the audit hash chain on the server (or, with --offline, a bundle's Merkle tree and signed checkpoints) and name the first broken record. " +
            "Exit code 0: intact; 2: broken; 1: could not check.") { json, offline, publicKey, earlier };
        command.SetAction((parse, ct) =>
        {
            if (parse.GetValue(offline) is { } bundle)
            {
                return Task.FromResult(VerifyOffline(context, bundle, parse.GetValue(publicKey), parse.GetValue(earlier) ?? [], parse.GetValue(json)));
            }

            return context.RemoteAsync(parse, async client =>
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
            });
        });
        return command;
    }

    private static int VerifyOffline(CliContext context, FileInfo bundle, FileInfo? publicKey, FileInfo[] earlier, bool json)
    {
        try
        {
            var text = File.ReadAllText(bundle.FullName);
            // A signed note names its key; the trusted key takes the name the bundle's checkpoint is signed under (its origin).
            var keyName = Warden.Transparency.Offline.TransparencyBundle.TryParse(text, out var parsed, out _)
                ? parsed.KeyName ?? parsed.Checkpoint.Split('\n', 2)[0]
                : "warden";
            var options = new Warden.Transparency.Offline.OfflineVerifierOptions
            {
                TrustedKey = publicKey is null ? null : Warden.Transparency.Checkpoints.CheckpointPublicKey.FromPem(keyName, File.ReadAllText(publicKey.FullName)),
                EarlierCheckpoints = earlier.Select(f => File.ReadAllText(f.FullName)).ToList(),
                RecordHasher = Warden.Server.Audit.AuditTransparency.HashRecord,
            };
            var report = Warden.Transparency.Offline.OfflineVerifier.Verify(text, options);
            if (json)
            {
                Output.Json(context, new { report.IsValid, report.Problem, suspect = report.SuspectEntries is { } r ? new { r.From, r.To } : null, report.Checks, treeSize = report.Checkpoint?.TreeSize });
            }
            else if (report.IsValid)
            {
                context.Console.MarkupLine($"[green]Bundle verified offline[/]: {report.Checkpoint!.TreeSize:N0} record(s) match the signed checkpoint.");
                foreach (var check in report.Checks)
                {
                    context.Console.MarkupLine("  ✓ " + Markup.Escape(check));
                }
            }
            else
            {
                context.Console.MarkupLine($"[red]Bundle does NOT verify[/]: {Markup.Escape(report.Problem ?? "")}");
            }

            return report.IsValid ? WardenCli.Ok : WardenCli.ChainBroken;
        }
        catch (IOException e)
        {
            return context.Fail($"cannot read the bundle or key: {e.Message}");
        }
        catch (ArgumentException e)
        {
            return context.Fail($"the public key is not a P-256 PEM: {e.Message}");
        }
    }

    private static Command Export(CliContext context)
    {
        var output = new Option<FileInfo>("--output") { Description = "Where to write the bundle (JSON)", Required = true };
        var command = new Command("export", "Download an offline verification bundle: public key, signed checkpoints and every record.") { output };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var bundle = await client.GetAuditBundleAsync(ct);
            await File.WriteAllTextAsync(parse.GetValue(output)!.FullName, bundle, ct);
            context.Console.MarkupLine($"Wrote {Markup.Escape(parse.GetValue(output)!.FullName)}; check it anywhere with `warden audit verify --offline`.");
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command CheckpointCommand(CliContext context)
    {
        var output = new Option<FileInfo?>("--output") { Description = "Also save the signed note here (keep it to detect rewritten history later)" };
        var command = new Command("checkpoint", "Get a signed checkpoint of the log as it is now.") { output };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var checkpoint = await client.GetAuditCheckpointAsync(ct);
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, checkpoint.Note, ct);
            }

            context.Console.Profile.Out.Writer.Write(checkpoint.Note);
            context.Console.Profile.Out.Writer.Flush();
            return WardenCli.Ok;
        }));
        return command;
    }

    private static DateTimeOffset? ParseTime(string option, string? text) =>
        string.IsNullOrWhiteSpace(text) ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t
        : throw new CliException($"{option} '{text}' is not a date/time (e.g. 2026-11-26 or 2026-11-26T12:00Z).");
}
