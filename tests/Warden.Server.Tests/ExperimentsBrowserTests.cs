using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Warden.Contracts;
using Warden.Server.Experiments;
using Warden.Server.Serving;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>The experiments page in real headless Chromium: the list, per-arm results, SRM status, the always-valid interval
/// over time, and a bandit's allocation over time.</summary>
public sealed class ExperimentsBrowserTests : BrowserTestBase
{
    [Fact]
    public async Task A_viewer_sees_results_srm_intervals_over_time_and_bandit_allocations()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var team = await Team.CreateAsync(host);
        await ExperimentTests.TwoVersionsAsync(team);
        await team.Developer.CreateExperimentAsync(ExperimentTests.AbTest());
        await team.Developer.StartExperimentAsync("credit-ab", "go");
        var predictions = host.App.Services.GetRequiredService<PredictionService>();
        var record = System.Text.Json.JsonSerializer.SerializeToElement(ExperimentTests.Record);
        var served = new List<(string Unit, int Version)>();
        for (var u = 0; u < 200; u++)
        {
            var answer = await predictions.PredictAsync("credit", null, [record], $"b{u}", $"r{u}", "test", CancellationToken.None);
            served.Add(($"b{u}", answer.Version));
        }

        await ExperimentTests.FeedbackAsync(host, served.Select(s => (s.Unit, new Dictionary<string, double>
        {
            ["repaid"] = ExperimentTests.Draw(s.Unit, "r", s.Version == 2 ? 0.7 : 0.3) ? 1 : 0,
        })));

        await team.Developer.CreateExperimentAsync(ExperimentTests.AbTest("credit-bandit", ExperimentKinds.Bandit, new BanditSettings()) with { Coverage = 1 });
        var evaluator = host.App.Services.GetRequiredService<ExperimentEvaluator>();

        var page = await SignInAsync(host, team.Secrets["operator"], "/experiments?name=credit-ab", new ViewportSize { Width = 1400, Height = 1100 });
        Assert.Contains("credit-ab", await page.InnerTextAsync("#experiments-table"), StringComparison.Ordinal);
        Assert.Contains("credit-bandit", await page.InnerTextAsync("#experiments-table"), StringComparison.Ordinal);
        Assert.Contains("SRM ok: 200 units", await page.InnerTextAsync("#srm-status"), StringComparison.Ordinal);
        var rows = await page.Locator("#results-table tbody tr").AllInnerTextsAsync();
        var treatment = rows.First(r => r.StartsWith("repaid", StringComparison.Ordinal) && r.Contains("treatment", StringComparison.Ordinal));
        Assert.Contains("%", treatment, StringComparison.Ordinal);
        Assert.Contains("Winner on the primary metric: treatment", await page.InnerTextAsync("#winner"), StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("#interval-chart polygon.interval-band").CountAsync());
        Assert.InRange(await page.Locator("#interval-chart circle").CountAsync(), 6, 12); // one point per moment once both arms have units

        // A bandit: stop the A/B test, run the bandit through two reallocations, and its allocation chart appears.
        await team.Developer.StopExperimentAsync("credit-ab", "done");
        await team.Developer.ConcludeExperimentAsync("credit-ab", "treatment wins");
        await team.Developer.StartExperimentAsync("credit-bandit", "go");
        for (var period = 0; period < 2; period++)
        {
            var units = new List<(string Unit, int Version)>();
            for (var u = 0; u < 80; u++)
            {
                var answer = await predictions.PredictAsync("credit", null, [record], $"k{period}-{u}", $"k{period}-{u}", "test", CancellationToken.None);
                units.Add(($"k{period}-{u}", answer.Version));
            }

            await ExperimentTests.FeedbackAsync(host, units.Select(s => (s.Unit, new Dictionary<string, double> { ["repaid"] = s.Version == 2 ? 1 : 0 })));
            await evaluator.EvaluateAsync("credit-bandit", force: true, Audit.AuditActor.System, "test");
        }

        await page.GotoAsync(host.BaseAddress + "experiments?name=credit-bandit");
        Assert.Equal(2, await page.Locator("#allocation-chart polyline.allocation-line").CountAsync());
        Assert.Contains("thompson", await page.InnerTextAsync("#experiments-table"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "warden-experiments.png"), FullPage = true });

        using var http = host.Http();
        using var missing = await http.GetAsync("/experiments?name=nope");
        Assert.NotEqual(System.Net.HttpStatusCode.InternalServerError, missing.StatusCode);
    }
}
