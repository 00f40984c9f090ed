using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Api;

/// <summary>The whole path: upload and deploy through the API, MCP through the proxy, sessions and audit back through the API.</summary>
public sealed class McpThroughHostTests
{
    private const int Calls = 20;

    [Test]
    public async Task Secrets_reach_the_sandbox_environment_and_the_client_credential_never_does()
    {
        await using var smcp = await SmcpServerFixture.StartAsync("secrets", """
            tenants:
              - id: acme
            """);
        using var admin = smcp.Client(SmcpServerFixture.AdminKey);
        var key = await SmcpServerFixture.DeployAsync(admin, "smcp-test/everything:test");
        Assert.That((await admin.PutAsJsonAsync("/v1/tenants/acme/servers/notes/secrets/API_TOKEN", new { value = "s3cr3t-for-the-server" })).StatusCode,
            Is.EqualTo(HttpStatusCode.NoContent));
        using var mcp = smcp.Client(key);
        var session = (await SmcpServerFixture.PostMcpAsync(mcp, null, Initialize)).Headers.GetValues("Mcp-Session-Id").Single();

        var env = await (await SmcpServerFixture.PostMcpAsync(mcp, session, """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get-env","arguments":{}}}""")).Content.ReadAsStringAsync();

        Assert.That(env, Does.Contain("API_TOKEN").And.Contain("s3cr3t-for-the-server"));
        Assert.That(env, Does.Not.Contain(key).And.Not.Contain(SmcpServerFixture.AdminKey));
        var listed = await admin.GetStringAsync("/v1/tenants/acme/servers/notes");
        Assert.That(listed, Does.Not.Contain("s3cr3t-for-the-server"));
    }

    private const string Initialize =
        """{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

    [Test]
    public async Task Deployed_server_answers_mcp_every_request_is_audited_and_the_session_quota_holds()
    {
        // No session can come of age for reclaiming while an initialize may wait: the quota itself is what answers.
        await using var smcp = await SmcpServerFixture.StartAsync("mcp", """
            tenants:
              - id: acme
                quotas: { maxSessions: 1, warmPoolSize: 1, reclaimIdleAfter: 10m }
            """);
        using var admin = smcp.Client(SmcpServerFixture.AdminKey);
        using var mcp = smcp.Client(await SmcpServerFixture.DeployAsync(admin));

        var initialize = await SmcpServerFixture.PostMcpAsync(mcp, null, Initialize);
        Assert.That(initialize.StatusCode, Is.EqualTo(HttpStatusCode.OK), await initialize.Content.ReadAsStringAsync());
        var session = initialize.Headers.GetValues("Mcp-Session-Id").Single();
        Assert.That((await SmcpServerFixture.PostMcpAsync(mcp, session, """{"jsonrpc":"2.0","method":"notifications/initialized"}""")).StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        for (var i = 1; i <= Calls; i++)
        {
            var call = await SmcpServerFixture.PostMcpAsync(mcp, session, new JsonObject
            {
                ["jsonrpc"] = "2.0", ["id"] = i, ["method"] = "tools/call",
                ["params"] = new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["message"] = $"m{i}" } },
            }.ToJsonString());
            Assert.That(await call.Content.ReadAsStringAsync(), Does.Contain($"Echo: m{i}"));
        }

        var second = await SmcpServerFixture.PostMcpAsync(mcp, null, Initialize);
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "maxSessions is 1");
        Assert.That(second.Headers.RetryAfter, Is.Not.Null);

        var open = await admin.GetFromJsonAsync<JsonArray>("/v1/tenants/acme/sessions");
        Assert.That(open!.Select(s => s!["id"]!.GetValue<string>()), Is.EqualTo(new[] { session }));
        Assert.That((await admin.DeleteAsync($"/v1/tenants/acme/sessions/{session}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var after = await SmcpServerFixture.PostMcpAsync(mcp, session, """{"jsonrpc":"2.0","id":99,"method":"tools/list"}""");
        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        var toolCalls = await WaitForAuditAsync(admin, "tools/call", Calls);
        Assert.That(toolCalls, Is.EqualTo(Calls), "exactly one audit row per MCP request");
        var verify = await admin.GetFromJsonAsync<JsonObject>("/v1/tenants/acme/audit/verify");
        Assert.That(verify!["intact"]!.GetValue<bool>(), Is.True, verify.ToJsonString());
    }

    [Test]
    public async Task Suspending_a_tenant_in_smcp_yaml_ends_its_live_sessions_at_once()
    {
        await using var smcp = await SmcpServerFixture.StartAsync("suspend", """
            tenants:
              - id: acme
            """);
        using var admin = smcp.Client(SmcpServerFixture.AdminKey);
        using var mcp = smcp.Client(await SmcpServerFixture.DeployAsync(admin));
        var initialize = await SmcpServerFixture.PostMcpAsync(mcp, null, Initialize);
        var session = initialize.Headers.GetValues("Mcp-Session-Id").Single();

        var yaml = await File.ReadAllTextAsync(smcp.ConfigPath);
        await File.WriteAllTextAsync(smcp.ConfigPath, yaml.Replace("  - id: acme", "  - id: acme\n    status: suspended", StringComparison.Ordinal));

        var status = HttpStatusCode.OK;
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15); DateTime.UtcNow < deadline && status != HttpStatusCode.NotFound;)
        {
            status = (await SmcpServerFixture.PostMcpAsync(mcp, session, """{"jsonrpc":"2.0","id":7,"method":"tools/list"}""")).StatusCode;
            await Task.Delay(200);
        }

        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), "the live session ended when the tenant was suspended");
        Assert.That((await SmcpServerFixture.PostMcpAsync(mcp, null, Initialize)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "a new session is refused");
    }

    [Test]
    public async Task At_max_sessions_an_initialize_reclaims_the_idle_session_which_gets_404_and_is_audited_as_reclaimed()
    {
        await using var smcp = await SmcpServerFixture.StartAsync("reclaim", """
            tenants:
              - id: acme
                quotas: { maxSessions: 1, warmPoolSize: 0, reclaimIdleAfter: 1s }
            """);
        using var admin = smcp.Client(SmcpServerFixture.AdminKey);
        using var mcp = smcp.Client(await SmcpServerFixture.DeployAsync(admin));
        var abandoned = (await SmcpServerFixture.PostMcpAsync(mcp, null, Initialize)).Headers.GetValues("Mcp-Session-Id").Single();
        await Task.Delay(TimeSpan.FromMilliseconds(1300));

        var fresh = await SmcpServerFixture.PostMcpAsync(mcp, null, Initialize);
        Assert.That(fresh.StatusCode, Is.EqualTo(HttpStatusCode.OK), await fresh.Content.ReadAsStringAsync());
        var after = await SmcpServerFixture.PostMcpAsync(mcp, abandoned, """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""");

        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the reclaimed session is unknown, so its client re-initializes");
        var open = await admin.GetFromJsonAsync<JsonArray>("/v1/tenants/acme/sessions");
        Assert.That(open!.Select(s => s!["id"]!.GetValue<string>()), Is.EqualTo(new[] { fresh.Headers.GetValues("Mcp-Session-Id").Single() }));
        Assert.That(await WaitForAuditAsync(admin, "session", 1), Is.EqualTo(1));
        var audit = await admin.GetFromJsonAsync<JsonObject>("/v1/tenants/acme/audit?limit=1000");
        var reclaimed = audit!["entries"]!.AsArray().Single(e => e!["action"]!.GetValue<string>() == "session")!;
        Assert.That(reclaimed["outcome"]!.GetValue<string>(), Is.EqualTo("reclaimed"));
        Assert.That(reclaimed["sessionId"]!.GetValue<string>(), Is.EqualTo(abandoned));
    }


    /// <summary>MCP audit rows are queued without holding up the session; they land within the writer's batch delay.</summary>
    private static async Task<int> WaitForAuditAsync(HttpClient admin, string action, int expected)
    {
        var count = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var page = await admin.GetFromJsonAsync<JsonObject>("/v1/tenants/acme/audit?limit=1000");
            count = page!["entries"]!.AsArray().Count(e => e!["action"]!.GetValue<string>() == action);
            if (count >= expected)
            {
                break;
            }

            await Task.Delay(100);
        }

        return count;
    }
}
