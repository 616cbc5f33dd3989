using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Warden.Contracts;
using Warden.Inference;

namespace Warden.Cli;

/// <summary>`warden predict MODEL --json '{…}' | --csv file`: score records with the approved version serving the model.</summary>
internal static class PredictCommand
{
    public static Command Build(CliContext context)
    {
        var model = new Argument<string>("model") { Description = "Model name" };
        var json = new Option<string?>("--json") { Description = "One record {\"feature\": value, …} or {\"records\": [ … ]}" };
        var csv = new Option<FileInfo?>("--csv") { Description = "A CSV file with a header row of feature names; every row is scored (numbers are sent as numbers)" };
        var alias = new Option<string?>("--alias") { Description = "Ask this alias directly instead of following the traffic policy" };
        var unit = new Option<string?>("--unit") { Description = "Unit id for sticky canary routing" };
        var command = new Command("predict", "Score records with the approved version serving a model and print a table.") { model, json, csv, alias, unit };
        command.SetAction((parse, ct) => context.RemoteAsync(parse, async client =>
        {
            var records = Records(parse.GetValue(json), parse.GetValue(csv));
            var result = await client.PredictAsync(parse.GetValue(model)!, records, parse.GetValue(alias), parse.GetValue(unit), ct);
            var table = new Table().Border(TableBorder.Rounded).AddColumns("#", "Prediction", "Probability");
            for (var i = 0; i < result.Predictions.Count; i++)
            {
                var p = result.Predictions[i];
                table.AddRow((i + 1).ToString(CultureInfo.InvariantCulture), Markup.Escape(Convert.ToString(p.Prediction, CultureInfo.InvariantCulture) ?? ""),
                    p.Probability?.ToString("0.0000", CultureInfo.InvariantCulture) ?? "—");
            }

            context.Console.Write(table);
            context.Console.MarkupLine($"[grey]{Markup.Escape(result.Model)} v{result.Version} via '{Markup.Escape(result.Alias)}' · request {Markup.Escape(result.RequestId)}[/]");
            return WardenCli.Ok;
        }));
        return command;
    }

    private static List<IReadOnlyDictionary<string, object?>> Records(string? json, FileInfo? csv)
    {
        if ((json is null) == (csv is null))
        {
            throw new CliException("give exactly one of --json and --csv");
        }

        if (json is not null)
        {
            JsonElement root;
            try
            {
                root = JsonDocument.Parse(json).RootElement;
            }
            catch (JsonException e)
            {
                throw new CliException($"--json is not valid JSON: {e.Message}");
            }

            var items = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("records", out var list) ? list.EnumerateArray().ToList() : [root];
            return items.Select(r => (IReadOnlyDictionary<string, object?>)r.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal)).ToList();
        }

        if (!csv!.Exists)
        {
            throw new CliException($"file '{csv.FullName}' does not exist");
        }

        CsvTable table;
        try
        {
            table = CsvTable.Parse(File.ReadAllText(csv.FullName));
        }
        catch (CsvException e)
        {
            throw new CliException($"--csv: {e.Message}");
        }

        return table.Rows.Select(row => (IReadOnlyDictionary<string, object?>)table.Columns.Select((c, i) => (c, v: row[i])).ToDictionary(
            x => x.c,
            x => double.TryParse(x.v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : x.v is "true" or "false" ? bool.Parse(x.v) : (object?)x.v,
            StringComparer.Ordinal)).ToList();
    }
}
