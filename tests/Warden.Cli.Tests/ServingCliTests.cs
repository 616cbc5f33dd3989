using Warden.Contracts;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Cli.Tests;

/// <summary>`warden predict` and `warden models traffic` against a running server.</summary>
public sealed class ServingCliTests : ServedCliTests
{
    [Fact]
    public async Task Predict_scores_json_and_csv_and_names_the_version()
    {
        var record = "{" + string.Join(",", GermanCredit.NumericColumns.Select(c => $"\"{c}\":{(c == "Age" ? 30 : 2)}")) + "}";
        var single = await As("developer", "predict", "credit", "--json", record);
        Assert.True(single.ExitCode == 0, single.Error);
        Assert.Contains("credit v1 via 'champion'", single.Output, StringComparison.Ordinal);
        Assert.Matches("0\\.\\d{4}", single.Output);

        var csv = Path.Combine(Path.GetTempPath(), $"warden-predict-{Guid.NewGuid():N}.csv");
        var lines = File.ReadAllLines(GermanCredit.Fixture("german_credit.csv")).Take(4)
            .Select(l => string.Join(',', l.Split(',').Take(7)));
        await File.WriteAllLinesAsync(csv, lines);
        var batch = await As("developer", "predict", "credit", "--csv", csv, "--alias", "challenger");
        File.Delete(csv);
        Assert.True(batch.ExitCode == 0, batch.Error);
        Assert.Contains("credit v2 via 'challenger'", batch.Output, StringComparison.Ordinal);
        Assert.Contains("│ 3 ", batch.Output, StringComparison.Ordinal);

        var bad = await As("developer", "predict", "credit", "--json", "{\"Age\":\"old\"}");
        Assert.Equal(WardenCli.Failed, bad.ExitCode);
        Assert.Contains("records[0]", bad.Error, StringComparison.Ordinal);
        var both = await As("developer", "predict", "credit");
        Assert.Contains("exactly one of --json and --csv", both.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Traffic_is_shown_and_set_by_operators_only()
    {
        var shown = await As("developer", "models", "traffic", "credit");
        Assert.Contains("champion: 100", shown.Output, StringComparison.Ordinal);
        var set = await As("operator", "models", "traffic", "credit", "--route", "champion=90", "--route", "challenger=10");
        Assert.True(set.ExitCode == 0, set.Error);
        Assert.Contains("challenger: 10", set.Output, StringComparison.Ordinal);
        var denied = await As("developer", "models", "traffic", "credit", "--route", "challenger=100");
        Assert.Contains("ManageAliases", denied.Error, StringComparison.Ordinal);
        var bad = await As("operator", "models", "traffic", "credit", "--route", "champion");
        Assert.Contains("write alias=weight", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Monitor_reference_and_report_show_drift_per_feature()
    {
        var reference = Path.Combine(Path.GetTempPath(), $"warden-ref-{Guid.NewGuid():N}.csv");
        await File.WriteAllLinesAsync(reference, File.ReadAllLines(GermanCredit.Fixture("german_credit.csv")).Take(701));
        var set = await As("developer", "monitor", "reference", "credit", "1", "--data", reference);
        File.Delete(reference);
        Assert.True(set.ExitCode == 0, set.Error);
        Assert.Contains("700 rows, 7 features", set.Output, StringComparison.Ordinal);
        var record = "{" + string.Join(",", GermanCredit.NumericColumns.Select(c => $"\"{c}\":{(c == "Age" ? 80 : 2)}")) + "}";
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(0, (await As("developer", "predict", "credit", "--json", record)).ExitCode);
        }

        var report = await As("validator", "monitor", "report", "credit", "--version", "1");
        Assert.True(report.ExitCode == 0, report.Error);
        Assert.Contains("5 prediction(s) against 700 reference rows", report.Output, StringComparison.Ordinal);
        Assert.Contains("Age", report.Output, StringComparison.Ordinal);
        var list = await As("validator", "monitor", "list", "--model", "credit");
        Assert.True(list.ExitCode == 0, list.Error);
        Assert.Contains("700", list.Output, StringComparison.Ordinal);
        Assert.Matches(@"v1\s*│\s*700\s*│\s*1\s*│", list.Output);
        var quality = await As("validator", "monitor", "quality", "credit", "--version", "1");
        Assert.True(quality.ExitCode == 0, quality.Error);
        Assert.Contains("feature(s) with issues", quality.Output, StringComparison.Ordinal);
        Assert.Contains("outside the reference range", quality.Output, StringComparison.Ordinal);
        var badAt = await As("validator", "monitor", "quality", "credit", "--version", "1", "--at", "yesterday-ish");
        Assert.Equal(WardenCli.Failed, badAt.ExitCode);
        Assert.Contains("is not a date/time", badAt.Error, StringComparison.Ordinal);
        var none = await As("validator", "monitor", "report", "credit", "--version", "2");
        Assert.Equal(WardenCli.Failed, none.ExitCode);
        Assert.Contains("reference", none.Error, StringComparison.Ordinal);
    }
}
