using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Api;

/// <summary>
/// The tool-definition scan on the whole path: the policy from smcp.yaml by server name, a deployed server with poisoned
/// tools (the hostile test image, argument <c>poisoned</c>), and the findings in the tenant's audit log in Postgres.
/// </summary>
public sealed class ToolScanThroughHostTests
{
    private const string Initialize =
        """{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

    [Test]
    public async Task A_server_set_to_block_in_smcp_yaml_loses_its_poisoned_tools_and_the_audit_log_says_why()
    {
        await using var smcp = await SmcpServerFixture.StartAsync("toolscan", """
            tenants:
              - id: acme
                toolScan: warn
                servers:
                  notes: { toolScan: block }
            """);
        using var admin = smcp.Client(SmcpServerFixture.AdminKey);
        using var mcp = smcp.Client(await SmcpServerFixture.DeployAsync(admin, "smcp-test/hostile:test", args: ["poisoned"]));
        var initialize = await SmcpServerFixture.PostMcpAsync(mcp, null, Initialize);
        Assert.That(initialize.StatusCode, Is.EqualTo(HttpStatusCode.OK), await initialize.Content.ReadAsStringAsync());
        var session = initialize.Headers.GetValues("Mcp-Session-Id").Single();

        var listed = JsonNode.Parse(await (await SmcpServerFixture.PostMcpAsync(mcp, session, """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""")).Content.ReadAsStringAsync())!;
        var called = JsonNode.Parse(await (await SmcpServerFixture.PostMcpAsync(mcp, session,
            """{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}""")).Content.ReadAsStringAsync())!;

        Assert.That(listed["result"]!["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "echo" }));
        Assert.That(called["error"]!["message"]!.GetValue<string>(), Does.Contain("withheld by the proxy"));
        var list = await AuditRowAsync(admin, "tools/list");
        Assert.That(list["outcome"]!.GetValue<string>(), Is.EqualTo("filtered"));
        Assert.That(list["detail"]!["removed"]!.AsArray().Select(r => r!["key"]!.GetValue<string>()), Is.EqualTo(new[] { "add", "send_em\u0430il" }));
        Assert.That(list["detail"]!["shown"]![0]!["pointer"]!.GetValue<string>(), Does.StartWith("/tools/"));
        Assert.That((await AuditRowAsync(admin, "tools/call"))["outcome"]!.GetValue<string>(), Is.EqualTo("withheld"));
        var verify = await admin.GetFromJsonAsync<JsonObject>("/v1/tenants/acme/audit/verify");
        Assert.That(verify!["intact"]!.GetValue<bool>(), Is.True, verify.ToJsonString());
    }



    /// <summary>MCP audit rows are queued without holding up the session; they land within the writer's batch delay.</summary>
    private static async Task<JsonNode> AuditRowAsync(HttpClient admin, string action)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var page = await admin.GetFromJsonAsync<JsonObject>("/v1/tenants/acme/audit?limit=1000");
            var rows = page!["entries"]!.AsArray().Where(e => e!["action"]!.GetValue<string>() == action).ToList();
            if (rows.Count > 0 || DateTime.UtcNow > deadline)
            {
                Assert.That(rows, Has.Count.EqualTo(1), $"one audit row for {action}");
                return rows[0]!;
            }

            await Task.Delay(100);
        }
    }
}
