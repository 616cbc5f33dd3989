using Microsoft.Playwright;
using Warden.Contracts;
using Warden.Server.Tests.Infrastructure;

namespace Warden.Server.Tests;

/// <summary>End to end in real headless Chromium (Debian's /usr/bin/chromium, driven by Microsoft.Playwright):
/// a person signs in with an API key and reads the audit log and its chain status.</summary>
public sealed class DashboardBrowserTests : BrowserTestBase
{
    private async Task<IPage> SignedInPageAsync(WardenTestHost host, string key)
    {
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.BaseAddress, "audit").ToString());
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal); // sent to sign in first
        await page.FillAsync("#key", key);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync("**/audit");
        return page;
    }

    [Fact]
    public async Task A_person_signs_in_and_reads_the_audit_log_with_its_chain_status()
    {
        await using var host = await WardenTestHost.StartAsync();
        using (var admin = host.Client())
        {
            await admin.CreateKeyAsync(new CreateApiKeyRequest("analyst-laptop", [Roles.Viewer]));
        }

        var page = await SignedInPageAsync(host, host.AdminKey);
        Assert.Equal("Audit log · Warden", await page.TitleAsync());
        Assert.Equal("Intact", (await page.InnerTextAsync("#chain-status .status")).Trim());
        var table = await page.InnerTextAsync("#audit-table");
        Assert.Contains("keys.create", table, StringComparison.Ordinal);
        Assert.Contains("keys.bootstrap", table, StringComparison.Ordinal);
        Assert.Contains("analyst-laptop", table, StringComparison.Ordinal);

        var cookies = await page.Context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == "warden_key");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);

        await page.FillAsync("input[name=action]", "keys.bootstrap");
        await page.ClickAsync("form.filters button[type=submit]");
        var filtered = await page.InnerTextAsync("#audit-table tbody");
        Assert.DoesNotContain("analyst-laptop", filtered, StringComparison.Ordinal);
        Assert.Contains("keys.bootstrap", filtered, StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "warden-audit.png"), FullPage = true });
    }

    [Fact]
    public async Task The_audit_page_shows_a_broken_chain_and_names_the_record()
    {
        await using var host = await WardenTestHost.StartAsync();
        using (var admin = host.Client())
        {
            await admin.CreateKeyAsync(new CreateApiKeyRequest("one", [Roles.Viewer]));
            await admin.CreateKeyAsync(new CreateApiKeyRequest("two", [Roles.Viewer]));
        }

        await host.ExecuteSqlAsync("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor_name = 'forged' WHERE seq = 2;");
        var page = await SignedInPageAsync(host, host.AdminKey);
        await page.ClickAsync("text=Verify now");
        Assert.Equal("Broken", (await page.InnerTextAsync("#chain-status .status")).Trim());
        Assert.Contains("#2", await page.InnerTextAsync("#chain-status .error"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_and_a_viewer_cannot_open_admin_pages()
    {
        await using var host = await WardenTestHost.StartAsync();
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(new Uri(host.BaseAddress, "signin").ToString());
        await page.FillAsync("#key", "wdn_not-a-real-key");
        await page.ClickAsync("button[type=submit]");
        Assert.Contains("not known", await page.InnerTextAsync(".error"), StringComparison.Ordinal);

        var viewerKey = await host.CreateKeyAsync(Roles.Viewer);
        await page.FillAsync("#key", viewerKey);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(host.BaseAddress.ToString());
        Assert.Contains("Overview", await page.InnerTextAsync("h1"), StringComparison.Ordinal);
        var keys = await page.GotoAsync(new Uri(host.BaseAddress, "keys").ToString());
        Assert.Equal(403, keys!.Status);
    }

    [Fact]
    public async Task An_admin_creates_and_revokes_a_key_from_the_dashboard()
    {
        await using var host = await WardenTestHost.StartAsync();
        var page = await SignedInPageAsync(host, host.AdminKey);
        await page.ClickAsync("nav >> text=API keys");
        await page.FillAsync("input[name=Name]", "from-the-browser");
        await page.CheckAsync("input[name=SelectedRoles][value=operator]");
        await page.ClickAsync("form button:has-text('Create')");
        if (await page.QuerySelectorAsync("#new-secret") is null)
        {
            Assert.Fail(await page.ContentAsync());
        }

        var secret = (await page.InnerTextAsync("#new-secret")).Trim();
        Assert.StartsWith("wdn_", secret, StringComparison.Ordinal);
        using (var created = host.Client(secret))
        {
            Assert.Equal([Roles.Operator], (await created.WhoAmIAsync()).Roles);
        }

        await page.ClickAsync("#keys-table tr:has-text('from-the-browser') button:has-text('Revoke')");
        Assert.Contains("revoked", await page.InnerTextAsync("#keys-table tr:has-text('from-the-browser')"), StringComparison.Ordinal);
        using var admin = host.Client();
        var records = (await admin.ListAuditAsync(new AuditQuery { Action = "keys." })).Items;
        Assert.Contains(records, r => r.Action == "keys.revoke" && r.Outcome == AuditOutcome.Success);
    }

    [Fact]
    public async Task The_privacy_page_shows_key_status_and_highlights_personal_data()
    {
        await using var host = await WardenTestHost.StartAsync();
        using (var team = await Team.CreateAsync(host))
        {
            await team.Developer.CreateModelAsync(new CreateModelRequest("scorer", "team", 3));
            await team.Developer.UploadVersionAsync("scorer", GermanCredit.OnnxModel, "m.onnx", new UploadVersionMetadata(
                Features: GermanCredit.NumericColumns.Select(c => new FeatureSpec(c, FeatureKinds.Numeric, "float32")).ToList(),
                DataClassification: [new FeatureClassification("Age", "personal", "affordability")]));
        }

        var page = await SignedInPageAsync(host, host.AdminKey);
        await page.ClickAsync("nav >> text=Privacy");
        Assert.Contains("v1", await page.InnerTextAsync(".tiles"), StringComparison.Ordinal);
        var policy = await page.InnerTextAsync("#policy");
        Assert.Contains("Age", policy, StringComparison.Ordinal);
        Assert.Contains("affordability", policy, StringComparison.Ordinal);
        await page.FillAsync("textarea[name=Sample]", "Mail jane.doe@example.com about card 4111 1111 1111 1111");
        await page.ClickAsync("#try button[type=submit]");
        var marks = await page.Locator("#highlighted mark").AllInnerTextsAsync();
        Assert.Equal(["jane.doe@example.com", "4111 1111 1111 1111"], marks);
        Assert.Contains("<EMAIL_ADDRESS>", await page.InnerTextAsync("#try code"), StringComparison.Ordinal);
        Assert.Contains("EMAIL_ADDRESS", await page.InnerTextAsync("#detections"), StringComparison.Ordinal);
    }
}
