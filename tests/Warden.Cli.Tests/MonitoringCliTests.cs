using System.Text.Json;
using Warden.Contracts;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Cli.Tests;

/// <summary>`warden events ingest`, `warden alerts …` and `warden monitor report --window --html` against a running server.</summary>
public sealed class MonitoringCliTests : ServedCliTests
{
    protected override bool WithChallenger => false;

    protected override async Task SetUpAsync()
    {
        var reference = string.Join('\n', File.ReadAllLines(GermanCredit.Fixture("german_credit.csv")).Take(701)) + "\n";
        await Team.Developer.SetReferenceAsync("credit", 1, System.Text.Encoding.UTF8.GetBytes(reference));
    }

    [Fact]
    public async Task Events_alerts_and_the_html_report_work_from_the_command_line()
    {
        // 200 predictions of an older population made elsewhere, and feedback for half of them, as JSON lines.
        var rows = File.ReadAllLines(GermanCredit.Fixture("german_credit.csv"));
        var header = rows[0].Split(',');
        var lines = new List<string>();
        foreach (var (row, i) in rows.Skip(701).Take(200).Select((r, i) => (r.Split(','), i)))
        {
            var inputs = GermanCredit.NumericColumns.ToDictionary(c => c, c => double.Parse(row[Array.IndexOf(header, c)], System.Globalization.CultureInfo.InvariantCulture) + (c == "Age" ? 30 : 0));
            lines.Add(JsonSerializer.Serialize(new { type = "prediction", eventId = $"p{i}", model = "credit", version = 1, requestId = $"r{i}", prediction = i % 3 == 0 ? 0.8 : 0.3, inputs }));
            if (i % 2 == 0)
            {
                lines.Add(JsonSerializer.Serialize(new { type = "feedback", eventId = $"f{i}", requestId = $"r{i}", label = i % 4 == 0 ? 1 : 0 }));
            }
        }

        var file = Path.Combine(Path.GetTempPath(), $"warden-events-{Guid.NewGuid():N}.jsonl");
        var html = Path.ChangeExtension(file, ".html");
        await File.WriteAllLinesAsync(file, lines);
        try
        {
            var ingest = await As("developer", "events", "ingest", file, "--batch", "120");
            Assert.True(ingest.ExitCode == 0, ingest.Error);
            Assert.Contains("300 event(s) stored, 0 already stored, 0 refused, of 300", ingest.Output, StringComparison.Ordinal);
            var again = await As("developer", "events", "ingest", file);
            Assert.Contains("0 event(s) stored, 300 already stored", again.Output, StringComparison.Ordinal);

            var bad = await As("operator", "alerts", "add-rule", "credit", "--metric", "drift.score", "--when", "about 1");
            Assert.Equal(WardenCli.Failed, bad.ExitCode);
            Assert.Single(bad.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            var add = await As("operator", "alerts", "add-rule", "credit", "--metric", "drift.score", "--when", ">1", "--name", "age shift");
            Assert.True(add.ExitCode == 0, add.Error);
            var evaluate = await As("operator", "alerts", "evaluate");
            Assert.Contains("1 fired", evaluate.Output, StringComparison.Ordinal);
            var id = (await Team.Validator.ListAlertsAsync("firing"))[0].Id;
            var show = await As("validator", "alerts", "show", id);
            Assert.Contains("Root cause", show.Output, StringComparison.Ordinal);
            Assert.Matches(@"│\s*1\s*│\s*Age\s*│", show.Output);
            var ack = await As("operator", "alerts", "ack", id);
            Assert.Contains("is acknowledged", ack.Output, StringComparison.Ordinal);
            var list = await As("validator", "alerts", "list");
            Assert.Contains("acknowledged", list.Output, StringComparison.Ordinal);

            var report = await As("validator", "monitor", "report", "credit", "--version", "1", "--window", "1d", "--html", html);
            Assert.True(report.ExitCode == 0, report.Error);
            Assert.Contains("Performance per window", report.Output, StringComparison.Ordinal);
            Assert.Contains("1 open alert(s)", report.Output, StringComparison.Ordinal);
            var page = await File.ReadAllTextAsync(html);
            Assert.Contains("<svg", page, StringComparison.Ordinal);
            Assert.Contains("Drift per feature", page, StringComparison.Ordinal);
            Assert.Contains("age shift", page, StringComparison.Ordinal);
            var badWindow = await As("validator", "monitor", "report", "credit", "--version", "1", "--window", "fortnight");
            Assert.Equal(WardenCli.Failed, badWindow.ExitCode);
            Assert.Contains("window", badWindow.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
            File.Delete(html);
        }
    }
}
