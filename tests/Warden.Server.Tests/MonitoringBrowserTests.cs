using Microsoft.Playwright;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>The monitoring page in real headless Chromium: volume per window, the drift heat map over windows, and the
/// drift report of a chosen window with the shifted features first.</summary>
public sealed class MonitoringBrowserTests : BrowserTestBase
{
    [Fact]
    public async Task A_validator_sees_the_shifted_window_drift_and_can_go_back_to_the_calm_one()
    {
        await using var host = await WardenTestHost.StartAsync(fakeClock: true);
        using var team = await Team.CreateAsync(host);
        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
        var training = string.Join('\n', GermanCredit.Csv.Split('\n').Take(701)) + "\n";
        await team.Developer.SetReferenceAsync("credit-risk", 1, System.Text.Encoding.UTF8.GetBytes(training));
        foreach (var chunk in DriftTests.Records((_, v) => v).Chunk(100))
        {
            await team.Developer.PredictAsync("credit-risk", chunk);
        }

        host.Clock!.Advance(TimeSpan.FromHours(1));
        foreach (var chunk in DriftTests.Records((c, v) => c == "Age" ? v + 25 : c == "Amount" ? v * 3 : v).Take(200).Chunk(100))
        {
            await team.Developer.PredictAsync("credit-risk", chunk);
        }

        var api = await team.Validator.ListMonitoredAsync("credit-risk");
        var monitored = Assert.Single(api);
        Assert.Equal(700, monitored.ReferenceRows);
        Assert.Equal([300L, 200L], monitored.Windows.Select(w => w.Predictions));

        var page = await SignInAsync(host, team.Secrets["validator"], "/monitoring", new ViewportSize { Width = 1400, Height = 1000 });
        Assert.Contains("credit-risk", await page.InnerTextAsync("#monitored-table"), StringComparison.Ordinal);
        Assert.Equal(2, await page.Locator("#volume-chart rect").CountAsync());

        // The latest (shifted) window is shown: dataset-level verdict, Age and Amount drifted and listed first.
        Assert.Contains("200 predictions against 700 reference rows", await page.InnerTextAsync("#dataset-drift"), StringComparison.Ordinal);
        var rows = await page.Locator("#drift-table tbody tr").AllInnerTextsAsync();
        Assert.Equal(["Age", "Amount"], rows.Take(2).Select(r => r.Split('\t')[0].Trim()).Order());
        Assert.All(rows.Take(2), r => Assert.Contains("drift", r, StringComparison.Ordinal));

        // The heat map has a row per feature and a column per window; the shifted window marks Age, the calm one does not.
        var ageCells = await page.Locator("#drift-heatmap tr", new PageLocatorOptions { HasText = "Age" }).First.Locator("td").AllInnerTextsAsync();
        Assert.Equal(["", "●"], ageCells.Select(c => c.Trim()));
        // Data quality of the same window: Age + 25 takes many people past the oldest in the reference.
        var quality = await page.Locator("#quality-table tbody tr").AllInnerTextsAsync();
        Assert.StartsWith("Age", quality[0], StringComparison.Ordinal);
        Assert.Contains("outside the reference range", quality[0], StringComparison.Ordinal);
        Assert.Contains("with issues", await page.InnerTextAsync("#quality-summary"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "warden-monitoring.png"), FullPage = true });

        // Clicking the first bar opens the calm window's report.
        await page.Locator("#volume-chart a").First.ClickAsync();
        await page.WaitForURLAsync("**window=*");
        Assert.Contains("300 predictions", await page.InnerTextAsync("#dataset-drift"), StringComparison.Ordinal);
        Assert.Contains("no dataset drift", await page.InnerTextAsync("#dataset-drift"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Performance_fairness_and_quality_charts_show_each_window_with_its_values_in_their_accessible_text()
    {
        await using var host = await WardenTestHost.StartAsync(fakeClock: true, settings: MonitoringScenario.Settings);
        using var team = await Team.CreateAsync(host);
        await MonitoringScenario.RunAsync(host, team);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var shiftedAccuracy = (1 - MonitoringScenario.Refused / 300.0).ToString("0.###", inv);

        var page = await SignInAsync(host, team.Secrets["validator"], "/monitoring?model=credit-risk&version=1", new ViewportSize { Width = 1400, Height = 1000 });

        // Performance: two windows, a line per classifier metric, label coverage 200/300 then 300/300.
        Assert.Equal("2", await page.GetAttributeAsync("#performance-chart", "data-windows"));
        var performance = await page.Locator("#performance-chart desc").TextContentAsync();
        Assert.StartsWith("2 windows from", performance, StringComparison.Ordinal);
        Assert.Contains($"Accuracy: 0.75, {shiftedAccuracy}.", performance, StringComparison.Ordinal);
        Assert.Contains("ROC AUC: 0.5,", performance, StringComparison.Ordinal); // one score for everyone: no ranking
        Assert.Contains("F1: 0.857,", performance, StringComparison.Ordinal);
        Assert.True(performance!.Contains("Label coverage: 67%, 100%.", StringComparison.Ordinal), performance);
        Assert.Equal(3, await page.Locator("#performance-chart g.series").CountAsync());
        Assert.Equal(["Accuracy", "ROC AUC", "F1", "Label coverage (bars, right axis)"], (await page.Locator("#performance-chart .legend li").AllInnerTextsAsync()).Select(t => t.Trim()));
        Assert.Contains("Performance per window", await page.Locator("#performance-chart title").First.TextContentAsync(), StringComparison.Ordinal);

        // Fairness: everyone approved in the calm hour, the refused group never in the shifted one; the four-fifths line at 0.8.
        Assert.Contains("Personal: 1, 0.", await page.Locator("#disparate-impact-chart desc").TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("#disparate-impact-chart line.rule").CountAsync());
        Assert.Contains("four-fifths rule (0.8)", await page.InnerTextAsync("#disparate-impact-chart figcaption"), StringComparison.Ordinal);
        var selection = await page.Locator("#fairness-personal-chart desc").TextContentAsync();
        Assert.StartsWith("2 windows", selection, StringComparison.Ordinal);
        Assert.Contains($"{MonitoringScenario.RefusedGroup}: 1, 0.", selection, StringComparison.Ordinal);

        // Data quality over time: Age + 25 leaves the reference range only in the shifted hour; no schema violations.
        var outOfDomain = await page.Locator("#out-of-domain-chart desc").TextContentAsync();
        Assert.StartsWith("2 windows", outOfDomain, StringComparison.Ordinal);
        var age = System.Text.RegularExpressions.Regex.Match(outOfDomain!, @" Age: ([0-9.]+)%, ([0-9.]+)%\.");
        Assert.True(age.Success, outOfDomain);
        Assert.True(double.Parse(age.Groups[2].Value, inv) > 20 * double.Parse(age.Groups[1].Value, inv) + 10, outOfDomain);
        Assert.Contains("Schema violations: 0, 0.", await page.Locator("#violations-chart desc").TextContentAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "warden-monitoring-charts.png"), FullPage = true });
    }

    [Fact]
    public async Task The_page_explains_what_to_do_when_nothing_is_monitored_or_a_reference_is_missing()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var team = await Team.CreateAsync(host);
        var page = await SignInAsync(host, team.Secrets["validator"], "/monitoring");
        Assert.Contains("warden monitor reference", await page.InnerTextAsync("#no-monitoring"), StringComparison.Ordinal);

        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
        await team.Developer.PredictAsync("credit-risk", DriftTests.Records((_, v) => v).Take(3).ToList());
        await page.GotoAsync(host.BaseAddress + "monitoring?model=credit-risk&version=1");
        Assert.Contains("no reference profile", await page.InnerTextAsync("#monitoring-problem"), StringComparison.Ordinal);
        Assert.Contains("none", await page.InnerTextAsync("#monitored-table"), StringComparison.Ordinal);
    }
}
