using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Api;

/// <summary>
/// Tool pinning on the whole path: the policy from smcp.yaml, a real sandboxed server whose tools change mid-session
/// (hostile image, <c>drift</c>) and between versions (redeployed with <c>renamed</c>), the pins and pending change in
/// Postgres, the audit log, and approval through the API by a tenant admin only.
/// </summary>
public sealed class ToolPinningThroughHostTests
{
    private const string Hostile = "smcp-test/hostile:test";

    private const string ListTools = """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""";

    private static string CallTool(string name) => HostMcp.ToolCall(2, name, "hi");

    [Test]
    public async Task Under_warn_a_tool_that_changes_mid_session_passes_is_audited_and_a_tenant_admin_approves_it_from_the_diff()
    {
        await using var smcp = await SmcpServerFixture.StartAsync("pinwarn", """
            tenants:
              - id: acme
            """);
        using var admin = smcp.Client(SmcpServerFixture.AdminKey);
        using var mcp = smcp.Client(await SmcpServerFixture.DeployAsync(admin, Hostile, args: ["drift"]));
        var session = await HostMcp.InitializeAsync(mcp);

        var first = await RpcAsync(mcp, session, ListTools);
        var called = await RpcAsync(mcp, session, CallTool("echo"));
        var second = await RpcAsync(mcp, session, ListTools);

        Assert.That(ToolNames(first.Answer), Is.EqualTo(new[] { "echo", "hang" }));
        Assert.That(called.Others.Select(m => m["method"]?.GetValue<string>()), Does.Contain("notifications/tools/list_changed"));
        Assert.That(second.Answer["result"]!["tools"]![0]!["description"]!.GetValue<string>(), Does.Contain("keeps a copy"));
        Assert.That((await AuditRowAsync(admin, "tool.pin.recorded"))["outcome"]!.GetValue<string>(), Is.EqualTo("ok"));
        var changed = await AuditRowAsync(admin, "tool.pin.changed");
        Assert.That(changed["outcome"]!.GetValue<string>(), Is.EqualTo("warned"));
        Assert.That(changed["detail"]!["changed"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "echo" }));

        var pins = await PendingPinsAsync(admin);
        var diff = pins["pending"]!["diff"]!.AsArray().Single()!;
        Assert.That(diff["change"]!.GetValue<string>(), Is.EqualTo("changed"));
        Assert.That(diff["old"]!.GetValue<string>(), Does.Contain("\"description\":\"Echoes the message back.\""));
        Assert.That(diff["new"]!.GetValue<string>(), Does.Contain("keeps a copy"));
        var pendingHash = pins["pending"]!["listingHash"]!.GetValue<string>();

        var approved = await admin.PostAsJsonAsync("/v1/tenants/acme/servers/notes/pins/approve", new { listingHash = pendingHash });
        Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await approved.Content.ReadAsStringAsync());
        var after = await PinsAsync(admin);
        Assert.That(after["pending"], Is.Null);
        Assert.That(after["approved"]!["listingHash"]!.GetValue<string>(), Is.EqualTo(pendingHash));
        Assert.That((await AuditRowAsync(admin, "tool.pin.approve"))["outcome"]!.GetValue<string>(), Is.EqualTo("ok"));
        var verify = await admin.GetFromJsonAsync<JsonObject>("/v1/tenants/acme/audit/verify");
        Assert.That(verify!["intact"]!.GetValue<bool>(), Is.True, verify.ToJsonString());
    }

    [Test]
    public async Task Between_versions_a_renamed_tool_is_hidden_and_refused_under_block_until_a_tenant_admin_approves()
    {
        await using var smcp = await SmcpServerFixture.StartAsync("pinblock", """
            tenants:
              - id: acme
                servers:
                  notes: { toolPinning: block }
              - id: globex
            """);
        using var admin = smcp.Client(SmcpServerFixture.AdminKey);
        using var mcp = smcp.Client(await SmcpServerFixture.DeployAsync(admin, Hostile));
        Assert.That(ToolNames((await RpcAsync(mcp, await HostMcp.InitializeAsync(mcp), ListTools)).Answer), Is.EqualTo(new[] { "echo", "hang" }));

        var image = (await admin.GetFromJsonAsync<JsonObject>("/v1/tenants/acme/servers/notes"))!["image"]!.GetValue<string>();
        var redeploy = await admin.PutAsJsonAsync("/v1/tenants/acme/servers/notes", new { image, args = new[] { "renamed" } });
        Assert.That(redeploy.StatusCode, Is.EqualTo(HttpStatusCode.OK), await redeploy.Content.ReadAsStringAsync());
        var session = await HostMcp.InitializeAsync(mcp);
        var listed = await RpcAsync(mcp, session, ListTools);
        var refused = await RpcAsync(mcp, session, CallTool("echo_v2"));

        Assert.That(ToolNames(listed.Answer), Is.EqualTo(new[] { "hang" }));
        Assert.That(refused.Answer["error"]!["message"]!.GetValue<string>(), Does.Contain("'echo' under a new name").And.Contain("must approve"));
        var changed = await AuditRowAsync(admin, "tool.pin.changed");
        Assert.That(changed["outcome"]!.GetValue<string>(), Is.EqualTo("blocked"));
        var rename = changed["detail"]!["renamed"]!.AsArray().Single()!;
        Assert.That((rename["from"]!.GetValue<string>(), rename["to"]!.GetValue<string>()), Is.EqualTo(("echo", "echo_v2")));
        Assert.That(changed["detail"]!["version"]!.GetValue<string>(), Is.Not.EqualTo(changed["detail"]!["pinnedVersion"]!.GetValue<string>()));
        var diff = (await PendingPinsAsync(admin))["pending"]!["diff"]!.AsArray().Single()!;
        Assert.That((diff["change"]!.GetValue<string>(), diff["from"]!.GetValue<string>(), diff["name"]!.GetValue<string>()), Is.EqualTo(("renamed", "echo", "echo_v2")));

        using var reader = smcp.Client(await HostMcp.CreateKeyAsync(admin, "acme", "read-only"));
        using var user = smcp.Client(await HostMcp.CreateKeyAsync(admin, "acme", "tenant-user"));
        using var otherAdmin = smcp.Client(await HostMcp.CreateKeyAsync(admin, "globex", "tenant-admin"));
        using var tenantAdmin = smcp.Client(await HostMcp.CreateKeyAsync(admin, "acme", "tenant-admin"));
        Assert.That((await reader.GetAsync("/v1/tenants/acme/servers/notes/pins")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        foreach (var client in new[] { reader, user, otherAdmin })
        {
            Assert.That((await client.PostAsJsonAsync("/v1/tenants/acme/servers/notes/pins/approve", new { })).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }

        Assert.That((await user.GetAsync("/v1/tenants/acme/servers/notes/pins")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await otherAdmin.GetAsync("/v1/tenants/acme/servers/notes/pins")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await otherAdmin.GetAsync("/v1/tenants/globex/servers/notes/pins")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await otherAdmin.PostAsJsonAsync("/v1/tenants/globex/servers/notes/pins/approve", new { })).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var stale = await tenantAdmin.PostAsJsonAsync("/v1/tenants/acme/servers/notes/pins/approve", new { listingHash = new string('0', 64) });
        Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));

        var broken = await tenantAdmin.PostAsync("/v1/tenants/acme/servers/notes/pins/approve", new StringContent("{\"listingHash\":", System.Text.Encoding.UTF8, "application/json"));
        Assert.That(broken.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await broken.Content.ReadAsStringAsync());
        Assert.That((await tenantAdmin.GetAsync("/v1/tenants/acme/servers/Not_A_Name/pins")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var approved = await tenantAdmin.PostAsync("/v1/tenants/acme/servers/notes/pins/approve", null);
        Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await approved.Content.ReadAsStringAsync());
        var fresh = await HostMcp.InitializeAsync(mcp);
        Assert.That(ToolNames((await RpcAsync(mcp, fresh, ListTools)).Answer), Is.EqualTo(new[] { "echo_v2", "hang" }));
        Assert.That((await RpcAsync(mcp, fresh, CallTool("echo_v2"))).Answer["result"]!["content"]![0]!["text"]!.GetValue<string>(), Is.EqualTo("hi"));
        Assert.That(await AuditRowsAsync(admin, "tool.pin.changed"), Has.Count.EqualTo(1), "the approved listing is no change");
    }

    [Test]
    public async Task Under_block_a_tool_that_changes_mid_session_is_refused_after_list_changed_and_hidden_from_the_next_listing()
    {
        await using var smcp = await SmcpServerFixture.StartAsync("pindrift", """
            tenants:
              - id: acme
                toolPinning: block
            """);
        using var admin = smcp.Client(SmcpServerFixture.AdminKey);
        using var mcp = smcp.Client(await SmcpServerFixture.DeployAsync(admin, Hostile, args: ["drift"]));
        var session = await HostMcp.InitializeAsync(mcp);

        await RpcAsync(mcp, session, ListTools);
        var first = await RpcAsync(mcp, session, CallTool("echo"));
        var beforeListing = await RpcAsync(mcp, session, CallTool("echo"));
        var listed = await RpcAsync(mcp, session, ListTools);
        var afterListing = await RpcAsync(mcp, session, CallTool("echo"));

        Assert.That(first.Answer["result"]!["content"]![0]!["text"]!.GetValue<string>(), Is.EqualTo("hi"));
        Assert.That(beforeListing.Answer["error"]!["message"]!.GetValue<string>(), Does.Contain("list the tools again"));
        Assert.That(ToolNames(listed.Answer), Is.EqualTo(new[] { "hang" }));
        Assert.That(afterListing.Answer["error"]!["message"]!.GetValue<string>(), Does.Contain("changed since it was pinned"));
        Assert.That((await AuditRowAsync(admin, "tool.pin.changed"))["outcome"]!.GetValue<string>(), Is.EqualTo("blocked"));
        Assert.That((await AuditRowsAsync(admin, "tools/call", atLeast: 3)).Select(r => r["outcome"]!.GetValue<string>()), Is.EquivalentTo(new[] { "ok", "withheld", "withheld" }));
    }

    [Test]
    public async Task A_listing_of_thousands_of_tools_is_withheld_under_block_with_a_reason_and_nothing_is_pinned()
    {
        await using var smcp = await SmcpServerFixture.StartAsync("pinhuge", """
            tenants:
              - id: acme
                toolPinning: block
            """);
        using var admin = smcp.Client(SmcpServerFixture.AdminKey);
        using var mcp = smcp.Client(await SmcpServerFixture.DeployAsync(admin, Hostile, args: ["tools", "5000"]));

        var listed = await RpcAsync(mcp, await HostMcp.InitializeAsync(mcp), ListTools);

        Assert.That(listed.Answer["error"]!["message"]!.GetValue<string>(), Does.Contain("5002 tools, more than the 1024 that are pinned"));
        Assert.That((await AuditRowAsync(admin, "tool.pin.unreadable"))["outcome"]!.GetValue<string>(), Is.EqualTo("withheld"));
        Assert.That((await admin.GetAsync("/v1/tenants/acme/servers/notes/pins")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    /// <summary>One request's answer and the other messages of its stream (a JSON body, or an SSE stream when the server sent more).</summary>
    private static async Task<(JsonNode Answer, List<JsonNode> Others)> RpcAsync(HttpClient mcp, string session, string json)
    {
        var response = await SmcpServerFixture.PostMcpAsync(mcp, session, json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            return (JsonNode.Parse(text)!, []);
        }

        var messages = text.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal) && l.Length > 5).Select(l => JsonNode.Parse(l[5..])!).ToList();
        var answer = messages.Single(m => m["id"] is not null);
        messages.Remove(answer);
        return (answer, messages);
    }

    private static string[] ToolNames(JsonNode answer) =>
        answer["result"]!["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).ToArray();

    private static async Task<JsonObject> PinsAsync(HttpClient client)
    {
        var response = await client.GetAsync("/v1/tenants/acme/servers/notes/pins");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>The pins once a pending change is there: the proxy records a changed listing without holding up its answer.</summary>
    private static async Task<JsonObject> PendingPinsAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var pins = await PinsAsync(client);
            if (pins["pending"] is not null || DateTime.UtcNow > deadline)
            {
                Assert.That(pins["pending"], Is.Not.Null, "no pending change within 10 s: " + pins.ToJsonString());
                return pins;
            }

            await Task.Delay(50);
        }
    }

    private static async Task<JsonNode> AuditRowAsync(HttpClient admin, string action)
    {
        var rows = await AuditRowsAsync(admin, action);
        Assert.That(rows, Has.Count.EqualTo(1), $"one audit row for {action}");
        return rows[0];
    }

    /// <summary>MCP audit rows are queued without holding up the session; they land within the writer's batch delay.</summary>
    private static async Task<List<JsonNode>> AuditRowsAsync(HttpClient admin, string action, int atLeast = 1)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var page = await admin.GetFromJsonAsync<JsonObject>("/v1/tenants/acme/audit?limit=1000");
            var rows = page!["entries"]!.AsArray().Where(e => e!["action"]!.GetValue<string>() == action).Select(e => e!).ToList();
            if (rows.Count >= atLeast || DateTime.UtcNow > deadline)
            {
                return rows;
            }

            await Task.Delay(100);
        }
    }
}
