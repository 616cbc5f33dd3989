using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Warden.Contracts;
using Warden.Server.Experiments;
using Warden.Server.Serving;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>The experiments page in real headless Chromium: the list, per-arm results, SRM status, the always-valid interval
/// over time, a bandit's allocation over time; a linucb experiment's allocation history overall and per context bucket, its
/// native metrics, and off-policy evaluation of a candidate policy posted from the page's form.</summary>
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

    [Fact]
    public async Task A_linucb_experiment_shows_allocations_per_context_native_metrics_and_evaluates_a_candidate_policy_from_the_form()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var team = await Team.CreateAsync(host);
        await ExperimentTests.TwoVersionsAsync(team);
        await team.Developer.CreateExperimentAsync(ExperimentTests.AbTest("credit-linucb", ExperimentKinds.LinUcb, new BanditSettings(Floor: 0.05)) with
        {
            ContextFeatures = ["Age"],
            Metrics =
            [
                new ExperimentMetric("repaid"),
                new ExperimentMetric(NativeMetrics.LatencyP99, MetricKinds.Native, MetricRoles.Secondary),
                new ExperimentMetric(NativeMetrics.ErrorRate, MetricKinds.Native, MetricRoles.Guardrail, Max: 0.5, MinimumSample: 10),
            ],
        });
        await team.Developer.StartExperimentAsync("credit-linucb", "learn per applicant");
        var predictions = host.App.Services.GetRequiredService<PredictionService>();
        var evaluator = host.App.Services.GetRequiredService<ExperimentEvaluator>();
        for (var round = 0; round < 3; round++)
        {
            var served = new List<(string Unit, double Age, int Version)>();
            for (var u = 0; u < 60; u++)
            {
                var age = u % 2 == 0 ? 25.0 : 60.0;
                var record = System.Text.Json.JsonSerializer.SerializeToElement(ExperimentTests.Record.ToDictionary(kv => kv.Key, kv => kv.Key == "Age" ? age : kv.Value));
                var answer = await predictions.PredictAsync("credit", null, [record], $"c{round}-{u}", $"c{round}-{u}", "test", CancellationToken.None);
                served.Add(($"c{round}-{u}", age, answer.Version));
            }

            // v2 suits the young, v1 the older.
            await ExperimentTests.FeedbackAsync(host, served.Select(s => (s.Unit, new Dictionary<string, double>
            {
                ["repaid"] = ExperimentTests.Draw(s.Unit, "r", (s.Version == 2) == (s.Age < 40) ? 0.8 : 0.1) ? 1 : 0,
            })));
            await evaluator.EvaluateAsync("credit-linucb", force: true, Audit.AuditActor.System, "test");
        }

        var page = await SignInAsync(host, team.Secrets["validator"], "/experiments?name=credit-linucb", new ViewportSize { Width = 1400, Height = 1400 });
        Assert.Equal(2, await page.Locator("#allocation-chart polyline.allocation-line").CountAsync());
        Assert.Contains("LinUCB", await page.InnerTextAsync("#experiment-detail"), StringComparison.Ordinal);
        var buckets = await page.Locator("#context-allocations figcaption").AllInnerTextsAsync();
        Assert.Equal(["Age = 25 (90 decisions)", "Age = 60 (90 decisions)"], buckets);
        Assert.Equal(2, await page.Locator("#context-allocations svg.context-allocation").CountAsync());
        Assert.Equal(4, await page.Locator("#context-allocations polyline.allocation-line").CountAsync());
        var native = await page.Locator("#native-table tbody tr").AllInnerTextsAsync();
        Assert.Equal(4, native.Count); // two metrics × two arms
        Assert.Contains(native, r => r.Contains("error_rate", StringComparison.Ordinal) && r.Contains("max 0.5", StringComparison.Ordinal) && r.Contains("ok", StringComparison.Ordinal));
        Assert.Contains("ms", await page.InnerTextAsync("#arms-table"), StringComparison.Ordinal); // latency per arm

        // A candidate: v1 for everyone except the young, who get v2.
        await page.FillAsync("#off-policy-form input[name='PolicyArms[control]']", "1");
        await page.FillAsync("#off-policy-form input[name='PolicyArms[treatment]']", "0");
        await page.SelectOptionAsync("#off-policy-form select[name='RuleFeature']", "Age");
        await page.FillAsync("#off-policy-form input[name='RuleMax']", "40");
        await page.FillAsync("#off-policy-form input[name='RuleArms[control]']", "0");
        await page.FillAsync("#off-policy-form input[name='RuleArms[treatment]']", "1");
        await page.ClickAsync("#off-policy-form button[type=submit]");
        var rows = await page.Locator("#off-policy-result tbody tr").AllInnerTextsAsync();
        Assert.Equal(4, rows.Count);
        Assert.StartsWith("Doubly robust", rows[3], StringComparison.Ordinal);
        var doublyRobust = double.Parse(rows[3].Split('\t')[1], System.Globalization.CultureInfo.InvariantCulture);
        var logged = double.Parse(rows[0].Split('\t')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(doublyRobust > logged, $"the per-age policy ({doublyRobust}) should beat what was logged ({logged})");
        Assert.Contains("180 logged decisions", await page.InnerTextAsync("#off-policy-summary"), StringComparison.Ordinal);
        Assert.Equal("Age", await page.InputValueAsync("#off-policy-form select[name='RuleFeature']")); // the form keeps what was asked

        // Probabilities that do not sum to 1 are refused with the reason, on the page.
        await page.FillAsync("#off-policy-form input[name='PolicyArms[treatment]']", "0.5");
        await page.ClickAsync("#off-policy-form button[type=submit]");
        Assert.Contains("sum to 1", await page.InnerTextAsync("#off-policy-error"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "warden-experiments-linucb.png"), FullPage = true });

        // The form's POST needs the antiforgery token like every dashboard form: signed in, but without it, it is refused.
        var forged = await page.APIRequest.PostAsync(host.BaseAddress + "experiments?name=credit-linucb&handler=OffPolicy", new APIRequestContextOptions
        {
            Form = page.APIRequest.CreateFormData().Set("PolicyArms[control]", "1").Set("PolicyArms[treatment]", "0"),
            MaxRedirects = 0,
        });
        Assert.Equal(400, forged.Status);
    }
}
