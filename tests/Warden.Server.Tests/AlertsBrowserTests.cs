using Microsoft.Playwright;
using Warden.Contracts;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>The alerts pages in real headless Chromium: the list with its rule and count in the navigation, the root cause
/// ranking of a drift alert, acknowledge and resolve by an operator (audited under the operator's key), and a viewer who
/// sees the alert but no buttons and is refused if it posts anyway.</summary>
public sealed class AlertsBrowserTests : BrowserTestBase
{
    [Fact]
    public async Task An_operator_sees_the_drift_alert_with_its_root_cause_and_acknowledges_then_resolves_it()
    {
        await using var host = await WardenTestHost.StartAsync(fakeClock: true, settings: MonitoringScenario.Settings);
        using var team = await Team.CreateAsync(host);
        var alert = await MonitoringScenario.RunAsync(host, team);

        var page = await SignInAsync(host, team.Secrets["operator"], "/alerts", new ViewportSize { Width = 1400, Height = 1000 });
        Assert.Equal("1", (await page.InnerTextAsync("#nav-alerts .nav-count")).Trim());
        var row = page.Locator($"#alerts-table tr[data-alert='{alert.Id}']");
        var text = await row.InnerTextAsync();
        Assert.Contains("firing", text, StringComparison.Ordinal);
        Assert.Contains("feature drift", text, StringComparison.Ordinal);
        Assert.Contains("drift.score", text, StringComparison.Ordinal);
        Assert.Contains("(> 1)", text, StringComparison.Ordinal);
        Assert.Contains(alert.RootCause[0].Name, text, StringComparison.Ordinal);
        Assert.Contains("drift.score > 1", await page.InnerTextAsync("#rules-table"), StringComparison.Ordinal);

        // The detail: Age and Amount lead the root cause ranking, as bars and as a table.
        await row.Locator("a", new LocatorLocatorOptions { HasText = "feature drift" }).ClickAsync();
        await page.WaitForURLAsync($"**/alerts/{alert.Id}");
        Assert.Equal(alert.RootCause.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.GetAttributeAsync("#root-cause-chart", "data-items"));
        Assert.Equal(alert.RootCause.Count, await page.Locator("#root-cause-chart rect").CountAsync());
        var description = await page.Locator("#root-cause-chart desc").TextContentAsync();
        Assert.Matches("^1\\. (Age|Amount): [0-9.]+; 2\\. (Age|Amount): ", description!);
        var causes = await page.Locator("#root-cause-table tbody tr").AllInnerTextsAsync();
        Assert.Equal(["Age", "Amount"], causes.Take(2).Select(r => r.Split('\t')[1].Trim()).Order());
        Assert.Contains("drifted", causes[0], StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "warden-alert.png"), FullPage = true });

        // Acknowledge: the state changes, the operator is named, and the audit log has it under the operator's key.
        await page.ClickAsync("#alert-actions button:has-text('Acknowledge')");
        await page.WaitForSelectorAsync("#alert-state:has-text('acknowledged')");
        Assert.Contains("by operator", await page.InnerTextAsync("#alert-acknowledged"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#alert-actions button:has-text('Acknowledge')").CountAsync());
        var audit = await team.Admin.ListAuditAsync(new AuditQuery { Action = "alerts.acknowledge" });
        Assert.Contains(audit.Items, r => r.Target == $"alert:{alert.Id}" && r.ActorName == "operator");
        Assert.Equal("acknowledged", (await team.Validator.GetAlertAsync(alert.Id)).State);

        // Resolve from the list of open alerts: back on the same filtered list, now empty, and the count is gone.
        await page.GotoAsync(host.BaseAddress + "alerts?state=open");
        await page.ClickAsync($"#alerts-table tr[data-alert='{alert.Id}'] button:has-text('Resolve')");
        await page.WaitForSelectorAsync("#no-alerts");
        Assert.EndsWith("/alerts?state=open", page.Url, StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#nav-alerts .nav-count").CountAsync());
        Assert.Equal("resolved", (await team.Validator.GetAlertAsync(alert.Id)).State);
    }

    [Fact]
    public async Task A_viewer_sees_alerts_and_root_causes_but_no_buttons_and_cannot_post_an_acknowledgement()
    {
        await using var host = await WardenTestHost.StartAsync(fakeClock: true, settings: MonitoringScenario.Settings);
        using var team = await Team.CreateAsync(host);
        var alert = await MonitoringScenario.RunAsync(host, team);
        var viewer = await host.CreateKeyAsync(Roles.Viewer);

        var page = await SignInAsync(host, viewer, "/alerts");
        Assert.Contains("firing", await page.InnerTextAsync($"#alerts-table tr[data-alert='{alert.Id}']"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#alerts-table button").CountAsync());

        await page.GotoAsync(host.BaseAddress + $"alerts/{alert.Id}");
        Assert.Contains("firing", await page.InnerTextAsync("#alert-state"), StringComparison.Ordinal);
        Assert.Equal(alert.RootCause.Count, await page.Locator("#root-cause-chart rect").CountAsync());
        Assert.Equal(0, await page.Locator("#alert-actions").CountAsync());
        Assert.Equal(0, await page.Locator("button:has-text('Acknowledge'), button:has-text('Resolve')").CountAsync());

        // Posting by hand with a valid antiforgery token (from the sign-out form) is refused, and nothing changes.
        var token = await page.GetAttributeAsync("input[name=__RequestVerificationToken]", "value");
        var response = await page.APIRequest.PostAsync(host.BaseAddress + $"alerts/{alert.Id}?handler=Acknowledge", new APIRequestContextOptions
        {
            Form = page.APIRequest.CreateFormData().Set("__RequestVerificationToken", token!),
            MaxRedirects = 0,
        });
        Assert.Equal(403, response.Status);
        Assert.Equal("firing", (await team.Validator.GetAlertAsync(alert.Id)).State);
    }
}
