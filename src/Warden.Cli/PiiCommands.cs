using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Warden.Contracts;

namespace Warden.Cli;

/// <summary>`warden pii analyze|anonymize`: for pipelines — text from a file or standard input, results to standard output.</summary>
internal static class PiiCommands
{
    public static Command Build(CliContext context)
    {
        var pii = new Command("pii", "Find and anonymize personal data in text (uses the server's recognizers and managed keys).");
        pii.Subcommands.Add(Analyze(context));
        pii.Subcommands.Add(Anonymize(context));
        return pii;
    }

    private static Option<FileInfo?> FileOption() => new("--file") { Description = "Read the text from this file instead of standard input" };

    private static Command Analyze(CliContext context)
    {
        var file = FileOption();
        var json = KeysCommands.JsonOption();
        var command = new Command("analyze", "List the personal data found in the text.") { file, json };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var text = await ReadTextAsync(parse.GetValue(file), ct);
            var result = await client.AnalyzePiiAsync(new PiiAnalyzeRequest(text), ct);
            if (parse.GetValue(json))
            {
                Output.Json(context, result);
                return WardenCli.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("Entity", "Start", "End", "Score", "Text", "Why");
            foreach (var e in result.Entities)
            {
                table.AddRow(e.EntityType, e.Start.ToString(CultureInfo.InvariantCulture), e.End.ToString(CultureInfo.InvariantCulture),
                    e.Score.ToString("0.00", CultureInfo.InvariantCulture), Markup.Escape(text[e.Start..e.End]), Markup.Escape(e.Explanation));
            }

            context.Console.Write(table);
            return WardenCli.Ok;
        }));
        return command;
    }

    private static Command Anonymize(CliContext context)
    {
        var file = FileOption();
        var operatorOption = new Option<string>("--operator")
        {
            Description = "Default operator: replace (<ENTITY_TYPE>), redact, mask, pseudonymize (stable keyed HMAC) or encrypt (reversible by a privacy officer)",
            DefaultValueFactory = _ => "replace",
        };
        operatorOption.AcceptOnlyFromAmong("replace", "redact", "mask", "pseudonymize", "encrypt");
        var per = new Option<string[]>("--for") { Description = "Operator for one entity type, e.g. CREDIT_CARD=mask (repeat)", AllowMultipleArgumentsPerToken = true };
        var command = new Command("anonymize", "Print the text with its personal data anonymized.") { file, operatorOption, per };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var text = await ReadTextAsync(parse.GetValue(file), ct);
            var operators = (parse.GetValue(per) ?? []).Select(p => p.Split('=', 2)).ToDictionary(
                p => p.Length == 2 ? p[0] : throw new CliException($"--for '{p[0]}': write ENTITY_TYPE=operator"),
                p => new PiiOperatorSpec(p[1]), StringComparer.Ordinal);
            var result = await client.AnonymizePiiAsync(new PiiAnonymizeRequest(text, new PiiOperatorSpec(parse.GetValue(operatorOption)!), operators), ct);
            context.Console.Profile.Out.Writer.Write(result.Text);
            context.Console.Profile.Out.Writer.Flush();
            return WardenCli.Ok;
        }));
        return command;
    }

    private static async Task<string> ReadTextAsync(FileInfo? file, CancellationToken ct)
    {
        if (file is not null)
        {
            return file.Exists ? await File.ReadAllTextAsync(file.FullName, ct) : throw new CliException($"file '{file.FullName}' does not exist");
        }

        if (!Console.IsInputRedirected)
        {
            throw new CliException("give --file or pipe text on standard input");
        }

        return await Console.In.ReadToEndAsync(ct);
    }
}
