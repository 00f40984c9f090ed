using System.Net;
using Microsoft.Playwright;
using Smcp.Orchestrator.Dashboard;
using Smcp.Orchestrator.Tests.Support;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Orchestrator.Tests.Dashboard;

/// <summary>The dashboard at <c>/ui/</c> in headless Chromium against a real host: sign-in, live sessions, the admin view, hostile text.</summary>
[NonParallelizable] // One browser and one host; the session test ends what it opened before the others look at the lists.
public sealed class DashboardTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Hostile = "<img src=x onerror=\"window.__pwned=1\">";

    private SmcpServerFixture _smcp = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private string _tenantAdmin = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        Assert.That(File.Exists(Chromium), Is.True, $"{Chromium} is missing; install it with `apt-get install -y chromium` (scripts/test.sh does).");
        _smcp = await SmcpServerFixture.StartAsync("dashboard", $$"""
            tenants:
              - id: acme
                name: 'Acme {{Hostile}}'
              - id: beta
            """);
        using var admin = _smcp.Client(SmcpServerFixture.AdminKey);
        await SmcpServerFixture.DeployAsync(admin);
        _tenantAdmin = await HostMcp.CreateKeyAsync(admin, "acme", "tenant-admin");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _smcp.DisposeAsync();
    }

    private async Task<IPage> SignInAsync(string key)
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(new Uri(_smcp.BaseAddress, "/ui/").ToString());
        await page.FillAsync("#key", key);
        await page.ClickAsync("#sign-in-form button[type=submit]");
        return page;
    }

    private static string Screenshot(string name) => Path.Combine(NodeTools.RepoRoot, "docs", name);

    [Test]
    public async Task Every_ui_response_carries_the_strict_security_headers()
    {
        using var client = _smcp.Client();
        foreach (var path in new[] { "/ui/", "/ui/app.js", "/ui/app.css", "/ui/missing.js" })
        {
            var response = await client.GetAsync(path);
            Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(), Is.EqualTo(DashboardEndpoints.ContentSecurityPolicy), path);
            Assert.That(response.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"), path);
            Assert.That(response.Headers.GetValues("Referrer-Policy").Single(), Is.EqualTo("no-referrer"), path);
        }

        Assert.That((await client.GetAsync("/ui/missing.js")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var html = await client.GetStringAsync("/ui/");
        Assert.That(html, Does.Not.Contain("<style").And.Not.Contain("style=").And.Not.Match("<script(?![^>]*src=)"), "no inline script or style");
    }

    [Test]
    public async Task A_wrong_key_shows_the_reason_and_stays_signed_out()
    {
        var page = await SignInAsync("smcp_acme_" + new string('A', 43));
        await Assertions.Expect(page.Locator("#error")).ToContainTextAsync("not valid");
        await Assertions.Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        Assert.That(await page.EvaluateAsync<string?>("sessionStorage.getItem('smcp.dashboard.key')"), Is.Null);
        await page.CloseAsync();
    }

    [Test]
    public async Task A_tenant_admin_sees_a_live_session_and_ends_it_with_the_button()
    {
        using var mcp = _smcp.Client(_tenantAdmin);
        var session = await HostMcp.InitializeAsync(mcp);
        var page = await SignInAsync(_tenantAdmin);
        var row = page.Locator($"#sessions tr[data-session='{session}']");
        await Assertions.Expect(row).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#who")).ToContainTextAsync("tenant acme");
        await page.ClickAsync("#verify");
        await Assertions.Expect(page.Locator("#verify-result")).ToContainTextAsync("Chain intact");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("dashboard-tenant.png"), FullPage = true });

        await row.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "End" }).ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);
        var after = await SmcpServerFixture.PostMcpAsync(mcp, session, HostMcp.ToolCall(1, "echo"));
        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        await page.ClickAsync("#sign-out");
        await Assertions.Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        Assert.That(await page.EvaluateAsync<string?>("sessionStorage.getItem('smcp.dashboard.key')"), Is.Null);
        await page.CloseAsync();
    }

    [Test]
    public async Task The_admin_key_lists_tenants_and_health()
    {
        var page = await SignInAsync(SmcpServerFixture.AdminKey);
        await Assertions.Expect(page.Locator("#tenants tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#tenants tbody")).ToContainTextAsync("beta");
        await Assertions.Expect(page.Locator("#health-status")).ToContainTextAsync("Ready:");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("dashboard-admin.png"), FullPage = true });
        await page.CloseAsync();
    }

    [Test]
    public async Task Hostile_names_and_audit_text_show_as_text_and_run_nothing()
    {
        using var mcp = _smcp.Client(_tenantAdmin);
        var session = await HostMcp.InitializeAsync(mcp);
        await SmcpServerFixture.PostMcpAsync(mcp, session, HostMcp.ToolCall(1, Hostile));
        using (var end = _smcp.Client(_tenantAdmin))
        {
            await end.DeleteAsync($"/v1/tenants/acme/sessions/{session}");
        }

        var admin = await SignInAsync(SmcpServerFixture.AdminKey);
        await Assertions.Expect(admin.Locator("#tenants tbody")).ToContainTextAsync("Acme " + Hostile);
        await AssertNothingRanAsync(admin, "#tenants");
        await admin.CloseAsync();

        var tenant = await SignInAsync(_tenantAdmin);
        await Assertions.Expect(tenant.Locator("#audit tbody")).ToContainTextAsync(Hostile);
        await AssertNothingRanAsync(tenant, "#audit");
        await tenant.CloseAsync();
    }

    private static async Task AssertNothingRanAsync(IPage page, string table)
    {
        Assert.That(await page.Locator(table + " img").CountAsync(), Is.EqualTo(0), "the hostile text became an element");
        Assert.That(await page.EvaluateAsync<bool>("window.__pwned === undefined"), Is.True, "the hostile text ran script");
    }
}
