using Microsoft.Playwright;

namespace Warden.Server.Tests.Infrastructure;

/// <summary>Headless Debian Chromium driven by Microsoft.Playwright, for the dashboard tests.</summary>
public abstract class BrowserTestBase : IAsyncLifetime
{
    private IPlaywright _playwright = null!;

    /// <summary>The browser.</summary>
    protected IBrowser Browser { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("WARDEN_TEST_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }

    /// <summary>A new page signed in with <paramref name="key"/>, opened at <paramref name="path"/>.</summary>
    protected async Task<IPage> SignInAsync(WardenTestHost host, string key, string path, ViewportSize? viewport = null)
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = viewport });
        await page.GotoAsync(new Uri(host.BaseAddress, "signin?returnUrl=" + Uri.EscapeDataString(path)).ToString());
        await page.FillAsync("#key", key);
        await page.ClickAsync("button[type=submit]");
        try
        {
            // Generous: the CI machine has two cores shared by the build, the servers and Chromium.
            await page.WaitForURLAsync("**" + path, new PageWaitForURLOptions { Timeout = 90_000 });
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Signing in to reach {path} ended at {page.Url}: {await page.InnerTextAsync("body")}", e);
        }

        return page;
    }
}
