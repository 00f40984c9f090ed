using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Smcp.Orchestrator.Dashboard;
using Smcp.Orchestrator.Tests.Support;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Orchestrator.Tests.Dashboard;

/// <summary>The dashboard at <c>/ui/</c> in headless Chromium against a real host: sign-in, live sessions, tool pins, the admin view, hostile text.</summary>
[NonParallelizable] // One browser and one host; the session test ends what it opened before the others look at the lists.
public sealed class DashboardTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string Hostile = "<img src=x onerror=\"window.__pwned=1\">";

    /// <summary>Set to 1 to write the screenshots into docs/ (README: Dashboard); otherwise they go to the test's work folder.</summary>
    private const string UpdateScreenshots = "SMCP_UPDATE_SCREENSHOTS";

    private const string Guarded = "/t/acme/guarded/mcp";
    private const string ListTools = """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""";

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
                servers:
                  guarded: { toolPinning: block }
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

    /// <summary>Takes a full-page screenshot: into docs/ when <see cref="UpdateScreenshots"/> is 1, else beside the test results (attached to them).</summary>
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        var update = Environment.GetEnvironmentVariable(UpdateScreenshots) == "1";
        var path = update
            ? Path.Combine(NodeTools.RepoRoot, "docs", name)
            : Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots", name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        if (!update)
        {
            TestContext.AddTestAttachment(path);
        }
    }

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
        await ScreenshotAsync(page, "dashboard-tenant.png");

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
    public async Task A_pending_tool_change_shows_its_diff_and_findings_and_only_a_tenant_admin_can_approve_it()
    {
        // Version 1 (poisoned tools) is pinned on first use; version 2 changes echo, adds hang and drops the poisoned ones.
        using var admin = _smcp.Client(SmcpServerFixture.AdminKey);
        var image = await SmcpServerFixture.UploadAsync(admin, "smcp-test/hostile:test", server: "guarded");
        await DeployGuardedAsync(admin, image, "poisoned");
        using var mcp = _smcp.Client(_tenantAdmin);
        await ListAndEndAsync(mcp);
        await PinsAsync(admin, p => p["approved"] is not null);
        await DeployGuardedAsync(admin, image, "changed");
        Assert.That(ToolNames(await ListAndEndAsync(mcp)), Is.Empty, "under block the changed and added tools wait for approval");
        await PinsAsync(admin, p => p["pending"] is not null);

        var page = await SignInAsync(_tenantAdmin);
        await OpenPinsAsync(page);
        var echo = page.Locator("#pins-diff tr[data-tool='echo']");
        await Assertions.Expect(echo).ToContainTextAsync("changed");
        await Assertions.Expect(echo.Locator(".del")).ToContainTextAsync("\"description\": \"Echoes the message back.\"");
        await Assertions.Expect(echo.Locator(".add")).ToContainTextAsync("\"description\": \"Echoes the message back, and keeps a copy.\"");
        await Assertions.Expect(page.Locator("#pins-diff tr[data-tool='hang']")).ToContainTextAsync("added");
        await Assertions.Expect(page.Locator("#pins-diff tr[data-tool='add']")).ToContainTextAsync("removed");
        var addFinding = page.Locator("#pins-findings tbody tr", new PageLocatorOptions { HasText = "instruction-tag" });
        await Assertions.Expect(addFinding).ToContainTextAsync("approved");
        await Assertions.Expect(addFinding).ToContainTextAsync("/description");
        await Assertions.Expect(page.Locator("#pins-findings tbody")).ToContainTextAsync("mixed-script");
        await ScreenshotAsync(page, "dashboard-pins.png");

        // A read-only key sees the change; its Approve is refused by the server and the page says why.
        var reader = await SignInAsync(await HostMcp.CreateKeyAsync(admin, "acme", "read-only"));
        await OpenPinsAsync(reader);
        await reader.ClickAsync("#approve");
        await Assertions.Expect(reader.Locator("#error")).ToContainTextAsync("A read-only key cannot change anything; use a tenant-admin key.");
        await reader.CloseAsync();

        // A tenant-user key (MCP only) gets no tenant view, so no Approve; the API refuses its approval from the page too.
        var userKey = await HostMcp.CreateKeyAsync(admin, "acme", "tenant-user");
        var user = await SignInAsync(userKey);
        await Assertions.Expect(user.Locator("#error")).ToContainTextAsync("Sign-in failed: A tenant-user key cannot use the tenant API.");
        await Assertions.Expect(user.Locator("#approve")).ToBeHiddenAsync();
        Assert.That(await user.EvaluateAsync<string?>("sessionStorage.getItem('smcp.dashboard.key')"), Is.Null);
        var status = await user.EvaluateAsync<int>(
            "async key => (await fetch('/v1/tenants/acme/servers/guarded/pins/approve', { method: 'POST', headers: { Authorization: 'Bearer ' + key } })).status", userKey);
        Assert.That(status, Is.EqualTo(403));
        await user.CloseAsync();
        Assert.That((await PinsAsync(admin, _ => true))["pending"], Is.Not.Null, "refused approvals changed nothing");

        await page.ClickAsync("#approve");
        await Assertions.Expect(page.Locator("#approve-result")).ToContainTextAsync("Approved");
        await Assertions.Expect(page.Locator("#pins-summary")).ToContainTextAsync("no pending change");
        await Assertions.Expect(page.Locator("#approve")).ToBeHiddenAsync();
        await page.CloseAsync();

        var session = await HostMcp.InitializeAsync(mcp, Guarded);
        var listed = HostMcp.Message(await (await SmcpServerFixture.PostMcpAsync(mcp, session, ListTools, Guarded)).Content.ReadAsStringAsync());
        Assert.That(ToolNames(listed), Is.EqualTo(new[] { "echo", "hang" }), "a session after the approval gets the changed tools");
        Assert.That(listed["result"]!["tools"]![0]!["description"]!.GetValue<string>(), Does.Contain("keeps a copy"));
        var called = HostMcp.Message(await (await SmcpServerFixture.PostMcpAsync(mcp, session, HostMcp.ToolCall(2, "echo", "hi"), Guarded)).Content.ReadAsStringAsync());
        Assert.That(called["result"]!["content"]![0]!["text"]!.GetValue<string>(), Is.EqualTo("hi"));
        await EndAsync(mcp, session);
    }

    private static async Task DeployGuardedAsync(HttpClient admin, string image, string mode)
    {
        var deploy = await admin.PutAsJsonAsync("/v1/tenants/acme/servers/guarded", new { image, args = new[] { mode } });
        Assert.That(deploy.StatusCode, Is.EqualTo(HttpStatusCode.OK), await deploy.Content.ReadAsStringAsync());
    }

    private static async Task OpenPinsAsync(IPage page)
    {
        var row = page.Locator("#servers tbody tr", new PageLocatorOptions { HasText = "guarded" });
        await row.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Tool pins" }).ClickAsync();
        await Assertions.Expect(page.Locator("#pins-summary")).ToContainTextAsync("a change is pending");
    }

    /// <summary>Opens a session of <c>guarded</c>, lists its tools, ends it, and returns the listing.</summary>
    private static async Task<JsonObject> ListAndEndAsync(HttpClient mcp)
    {
        var session = await HostMcp.InitializeAsync(mcp, Guarded);
        var listed = HostMcp.Message(await (await SmcpServerFixture.PostMcpAsync(mcp, session, ListTools, Guarded)).Content.ReadAsStringAsync());
        await EndAsync(mcp, session);
        return listed;
    }

    private static async Task EndAsync(HttpClient mcp, string session)
    {
        using var delete = new HttpRequestMessage(HttpMethod.Delete, Guarded);
        delete.Headers.Add("Mcp-Session-Id", session);
        Assert.That((await mcp.SendAsync(delete)).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
    }

    private static string[] ToolNames(JsonObject answer) =>
        answer["result"]!["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).ToArray();

    /// <summary>The pins of <c>guarded</c> once <paramref name="ready"/> holds: the proxy records a listing without holding up its answer.</summary>
    private static async Task<JsonObject> PinsAsync(HttpClient admin, Func<JsonObject, bool> ready)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var response = await admin.GetAsync("/v1/tenants/acme/servers/guarded/pins");
            var pins = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonObject>() : null;
            if (pins is not null && ready(pins))
            {
                return pins;
            }

            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"the pins never got there: {(int)response.StatusCode} {pins?.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    [Test]
    public async Task The_admin_key_lists_tenants_and_health()
    {
        var page = await SignInAsync(SmcpServerFixture.AdminKey);
        await Assertions.Expect(page.Locator("#tenants tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#tenants tbody")).ToContainTextAsync("beta");
        await Assertions.Expect(page.Locator("#health-status")).ToContainTextAsync("Ready:");
        await ScreenshotAsync(page, "dashboard-admin.png");
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
