using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Api;

/// <summary>
/// The per-tool policy on the whole path: <c>servers.{name}.tools</c> in smcp.yaml, real API keys of each role, a deployed
/// server with tools with and without readOnlyHint and one it answers unlisted (the hostile test image, argument
/// <c>leaky</c>), and the refusals in the tenant's audit log in Postgres.
/// </summary>
public sealed class ToolPolicyThroughHostTests
{
    private SmcpServerFixture _smcp = null!;
    private HttpClient _admin = null!;
    private string _userKey = null!;
    private string _adminKey = null!;
    private string _readerKey = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _smcp = await SmcpServerFixture.StartAsync("toolpolicy", """
            tenants:
              - id: acme
                servers:
                  notes:
                    tools:
                      allow: { read-only: [get_forecast, delete_everything, leak], tenant-user: ["*"], tenant-admin: ["*"] }
                      deny: { tenant-user: [delete_everything] }
            """);
        _admin = _smcp.Client(SmcpServerFixture.AdminKey);
        var image = await SmcpServerFixture.UploadAsync(_admin, "smcp-test/hostile:test");
        foreach (var server in new[] { "notes", "plain" })
        {
            var deploy = await _admin.PutAsJsonAsync($"/v1/tenants/acme/servers/{server}", new { image, args = new[] { "leaky" } });
            Assert.That(deploy.StatusCode, Is.EqualTo(HttpStatusCode.OK), await deploy.Content.ReadAsStringAsync());
        }

        _userKey = await KeyAsync("tenant-user");
        _adminKey = await KeyAsync("tenant-admin");
        _readerKey = await KeyAsync("read-only");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _admin.Dispose();
        await _smcp.DisposeAsync();
    }

    [Test]
    public async Task A_denied_tool_is_missing_from_the_listing_and_its_call_is_refused_and_audited_while_others_pass()
    {
        var (mcp, session) = await OpenAsync(_userKey);

        var listed = await CallAsync(mcp, session, """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""");
        var denied = await CallAsync(mcp, session, Call(2, "delete_everything"));
        var allowed = await CallAsync(mcp, session, Call(3, "get_forecast"));

        Assert.That(Names(listed), Is.EqualTo(new[] { "echo", "get_forecast", "leak" }));
        Assert.That(denied["id"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(denied["error"]!["code"]!.GetValue<int>(), Is.EqualTo(-32602));
        Assert.That(denied["error"]!["message"]!.GetValue<string>(),
            Is.EqualTo("The tool 'delete_everything' is refused by the proxy: the server's tools.deny names it for the role tenant-user."));
        Assert.That(Text(allowed), Is.EqualTo("sunny"));
        var row = await AuditRowAsync(session, "tools/call", "delete_everything");
        Assert.That(row["outcome"]!.GetValue<string>(), Is.EqualTo("refused"));
        Assert.That(new[] { "toolPolicy", "role", "tool" }.Select(k => row["detail"]![k]!.GetValue<string>()),
            Is.EqualTo(new[] { "tools.deny", "tenant-user", "delete_everything" }));
    }

    [Test]
    public async Task Deny_is_per_role_so_the_tenant_admin_calls_the_tool_the_user_is_denied()
    {
        var (mcp, session) = await OpenAsync(_adminKey);

        var listed = await CallAsync(mcp, session, """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""");
        var called = await CallAsync(mcp, session, Call(2, "delete_everything"));

        Assert.That(Names(listed), Is.EqualTo(new[] { "echo", "get_forecast", "delete_everything", "leak" }));
        Assert.That(Text(called), Is.EqualTo("deleted everything"));
    }

    [Test]
    public async Task A_read_only_key_calls_read_only_tools_and_is_refused_everything_else()
    {
        var (mcp, session) = await OpenAsync(_readerKey);

        var beforeListing = await CallAsync(mcp, session, Call(1, "get_forecast"));
        var listed = await CallAsync(mcp, session, """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""");
        var forecast = await CallAsync(mcp, session, Call(3, "get_forecast"));
        var destructive = await CallAsync(mcp, session, Call(4, "delete_everything"));
        var guessed = await CallAsync(mcp, session, Call(5, "backdoor"));
        var setLevel = await CallAsync(mcp, session, """{"jsonrpc":"2.0","id":6,"method":"logging/setLevel","params":{"level":"debug"}}""");
        var ping = await CallAsync(mcp, session, """{"jsonrpc":"2.0","id":7,"method":"ping"}""");

        Assert.That(beforeListing["error"]!["message"]!.GetValue<string>(), Does.Contain("has not listed it; call tools/list first"));
        Assert.That(Names(listed), Is.EqualTo(new[] { "get_forecast", "leak" }));
        Assert.That(Text(forecast), Is.EqualTo("sunny"));
        Assert.That(destructive["error"]!["message"]!.GetValue<string>(),
            Is.EqualTo("The tool 'delete_everything' is refused by the proxy: the role read-only may call only tools that declare readOnlyHint: true, and this one does not."));
        Assert.That(guessed["error"]!["message"]!.GetValue<string>(), Does.Contain("tools.allow does not name it for the role read-only"));
        Assert.That(setLevel["error"]!["message"]!.GetValue<string>(), Does.StartWith("The method 'logging/setLevel' is refused by the proxy"));
        Assert.That(ping["result"], Is.Not.Null);
        var row = await AuditRowAsync(session, "tools/call", "delete_everything");
        Assert.That(row["outcome"]!.GetValue<string>(), Is.EqualTo("refused"));
        Assert.That(row["detail"]!["toolPolicy"]!.GetValue<string>(), Is.EqualTo("read-only-hint"));
        Assert.That((await AuditRowAsync(session, "logging/setLevel", null))["detail"]!["toolPolicy"]!.GetValue<string>(), Is.EqualTo("read-only-method"));
    }

    [Test]
    public async Task A_read_only_key_may_not_open_a_server_whose_allow_list_does_not_name_the_role()
    {
        using var mcp = _smcp.Client(_readerKey);

        using var response = await PostAsync(mcp, "plain", null, Initialize);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), body);
        Assert.That(JsonNode.Parse(body)!["error"]!["message"]!.GetValue<string>(),
            Is.EqualTo("A read-only credential may not use the MCP server 'plain': its tools.allow in smcp.yaml does not name that role."));
    }

    [Test]
    public async Task A_server_without_a_tool_policy_forwards_every_call_of_a_tenant_user()
    {
        using var mcp = _smcp.Client(_userKey);
        using var opened = await PostAsync(mcp, "plain", null, Initialize);
        var session = opened.Headers.GetValues("Mcp-Session-Id").Single();

        using var called = await PostAsync(mcp, "plain", session, Call(1, "backdoor"));

        Assert.That(Text(JsonNode.Parse(await called.Content.ReadAsStringAsync())!), Is.EqualTo("the server ran an unlisted tool"));
    }

    private const string Initialize =
        """{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

    internal static string Call(int id, string tool) =>
        "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":{}}}";

    private static IEnumerable<string> Names(JsonNode listed) => listed["result"]!["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>());

    private static string Text(JsonNode answer) => answer["result"]!["content"]![0]!["text"]!.GetValue<string>();

    private async Task<string> KeyAsync(string role)
    {
        var created = await _admin.PostAsJsonAsync("/v1/tenants/acme/keys", new { name = role, role });
        return (await created.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
    }

    private async Task<(HttpClient Client, string Session)> OpenAsync(string key)
    {
        var mcp = _smcp.Client(key);
        using var initialize = await PostAsync(mcp, "notes", null, Initialize);
        Assert.That(initialize.StatusCode, Is.EqualTo(HttpStatusCode.OK), await initialize.Content.ReadAsStringAsync());
        return (mcp, initialize.Headers.GetValues("Mcp-Session-Id").Single());
    }

    private static async Task<JsonNode> CallAsync(HttpClient mcp, string session, string json)
    {
        using var response = await PostAsync(mcp, "notes", session, json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!;
    }

    internal static Task<HttpResponseMessage> PostAsync(HttpClient client, string server, string? session, string json) =>
        SmcpServerFixture.PostMcpAsync(client, session, json, $"/t/acme/{server}/mcp");

    /// <summary>MCP audit rows are queued without holding up the session; they land within the writer's batch delay.</summary>
    private async Task<JsonNode> AuditRowAsync(string session, string action, string? target)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var page = await _admin.GetFromJsonAsync<JsonObject>("/v1/tenants/acme/audit?limit=1000");
            var rows = page!["entries"]!.AsArray()
                .Where(e => e!["sessionId"]?.GetValue<string>() == session && e["action"]!.GetValue<string>() == action && e["target"]?.GetValue<string>() == target)
                .ToList();
            if (rows.Count > 0 || DateTime.UtcNow > deadline)
            {
                Assert.That(rows, Has.Count.EqualTo(1), $"one audit row for {action} {target} in session {session}");
                return rows[0]!;
            }

            await Task.Delay(100);
        }
    }
}
