using Microsoft.Playwright;
using Warden.Contracts;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>The registry pages in real headless Chromium: model list, model detail, approval queue.</summary>
public sealed class RegistryBrowserTests : BrowserTestBase
{
    [Fact]
    public async Task A_validator_reads_models_their_evidence_and_the_queue()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var team = await Team.CreateAsync(host);
        await RegistryScenario.ApprovedChampionAsync(team, "credit-risk");
        await team.Developer.CreateModelAsync(new CreateModelRequest("churn", "growth", 3, "Who will leave"));
        await team.Developer.UploadVersionAsync("churn", GermanCredit.OnnxModel, "churn.onnx");
        await team.Developer.UpdateCardAsync("churn", 1, RegistryScenario.Card);
        await team.Developer.SubmitVersionAsync("churn", 1, "please approve");

        var page = await SignInAsync(host, team.Secrets["validator"], "/models", new ViewportSize { Width = 1400, Height = 900 });
        var list = await page.InnerTextAsync("#models-table");
        Assert.Contains("credit-risk", list, StringComparison.Ordinal);
        Assert.Contains("champion → v1", list, StringComparison.Ordinal);
        Assert.Contains("Tier 1", list, StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "warden-models.png"), FullPage = true });

        await page.ClickAsync("text=credit-risk");
        await page.WaitForURLAsync("**/models/credit-risk");
        Assert.Contains("approved", await page.InnerTextAsync("#versions-table"), StringComparison.Ordinal);
        var gates = await page.InnerTextAsync("#gates");
        Assert.Contains("model_card_complete", gates, StringComparison.Ordinal);
        Assert.Contains("pass", gates, StringComparison.Ordinal);
        var signOffs = await page.InnerTextAsync("#signoffs");
        Assert.Contains("alice@bank.example", signOffs, StringComparison.Ordinal);
        Assert.Contains("bob@bank.example", signOffs, StringComparison.Ordinal);
        Assert.Contains("roc_auc", await page.InnerTextAsync("#validation"), StringComparison.OrdinalIgnoreCase); // labels are upper-cased by CSS
        Assert.Contains("Intended use", await page.InnerTextAsync("#card"), StringComparison.Ordinal);
        Assert.Contains("champion", await page.InnerTextAsync("#alias-history"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "warden-model.png"), FullPage = true });

        await page.ClickAsync("nav >> text=Approvals");
        var queue = await page.InnerTextAsync("#queue-table");
        Assert.Contains("churn", queue, StringComparison.Ordinal);
        Assert.Contains("1 approval(s)", queue, StringComparison.Ordinal);
        Assert.DoesNotContain("credit-risk", queue, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_deployments_page_shows_loaded_versions_traffic_and_live_rates()
    {
        await using var host = await WardenTestHost.StartAsync();
        using var team = await Team.CreateAsync(host);
        var numeric = new UploadVersionMetadata(Features: GermanCredit.NumericColumns.Select(c => new FeatureSpec(c, FeatureKinds.Numeric, "float32")).ToList());
        await RegistryScenario.ApprovedAsync(team, "credit", GermanCredit.OnnxModel, "v1.onnx", numeric);
        var record = new Dictionary<string, object?>(GermanCredit.NumericColumns.Select(c => new KeyValuePair<string, object?>(c, 3.0)));
        for (var i = 0; i < 5; i++)
        {
            await team.Developer.PredictAsync("credit", [record]);
        }

        var page = await SignInAsync(host, team.Secrets["operator"], "/deployments");
        var table = await page.InnerTextAsync("#deployments-table");
        Assert.Contains("credit", table, StringComparison.Ordinal);
        Assert.Contains("champion", table, StringComparison.Ordinal);
        Assert.Contains("v1", table, StringComparison.Ordinal);
        Assert.Matches(@"100\s?%", table);
        Assert.Contains("ms", table, StringComparison.Ordinal);
    }
}
