using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Api;

/// <summary>
/// The output guard on the whole path: <c>servers.{name}.outputGuard</c> in smcp.yaml, a secret stored through the API and
/// injected into a real sandbox, and a server that echoes it raw, base64, URL-encoded, as a resource and in
/// <c>structuredContent</c>, beside credential-shaped strings (the hostile test image, argument <c>leaky</c>, tool <c>leak</c>).
/// </summary>
public sealed class OutputGuardThroughHostTests
{
    private const string Secret = "s3cr3t/value+with=signs&more";

    private const string Initialize =
        """{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

    private SmcpServerFixture _smcp = null!;
    private HttpClient _admin = null!;
    private string _userKey = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _smcp = await SmcpServerFixture.StartAsync("outputguard", """
            tenants:
              - id: acme
                servers:
                  notes: { outputGuard: redact }
                  plain: { outputGuard: off }
            """);
        _admin = _smcp.Client(SmcpServerFixture.AdminKey);
        var image = await SmcpServerFixture.UploadAsync(_admin, "smcp-test/hostile:test");
        foreach (var server in new[] { "notes", "plain" })
        {
            var deploy = await _admin.PutAsJsonAsync($"/v1/tenants/acme/servers/{server}", new { image, args = new[] { "leaky" } });
            Assert.That(deploy.StatusCode, Is.EqualTo(HttpStatusCode.OK), await deploy.Content.ReadAsStringAsync());
            var secret = await _admin.PutAsJsonAsync($"/v1/tenants/acme/servers/{server}/secrets/LEAK_SECRET", new { value = Secret });
            Assert.That(secret.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        var created = await _admin.PostAsJsonAsync("/v1/tenants/acme/keys", new { name = "user", role = "tenant-user" });
        _userKey = (await created.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _admin.Dispose();
        await _smcp.DisposeAsync();
    }

    [Test]
    public async Task Redact_replaces_every_form_of_the_secret_and_each_credential_shape_and_the_audit_row_has_only_rule_ids()
    {
        var (answer, session) = await LeakAsync("notes");

        var content = answer["result"]!["content"]!.AsArray();
        Assert.That(answer["id"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(content[0]!["text"]!.GetValue<string>(), Is.EqualTo("raw: [redacted:secret-value]"));
        Assert.That(content[1]!["text"]!.GetValue<string>(), Is.EqualTo("base64: [redacted:secret-base64]"));
        Assert.That(content[2]!["text"]!.GetValue<string>(), Is.EqualTo("url: https://example.com/?key=[redacted:secret-url-encoded]"));
        Assert.That(content[3]!["resource"]!["text"]!.GetValue<string>(), Is.EqualTo("LEAK_SECRET=[redacted:secret-value]"));
        Assert.That(content[4]!["text"]!.GetValue<string>(), Is.EqualTo(
            "aws [redacted:aws-access-key-id] github [redacted:github-token] slack [redacted:slack-token] jwt [redacted:jwt] "
            + "openai [redacted:sk-api-key] google [redacted:google-api-key] key [redacted:private-key] end"));
        Assert.That(answer["result"]!["structuredContent"]!.ToJsonString(),
            Is.EqualTo("""{"config":{"token":"[redacted:secret-value]","list":["x[redacted:secret-value]y"],"region":"eu-west-1"}}"""));

        var row = await AuditRowAsync(session);
        Assert.That(row["outcome"]!.GetValue<string>(), Is.EqualTo("redacted"));
        Assert.That(row["detail"]!["redactions"]!.GetValue<int>(), Is.EqualTo(13));
        Assert.That(row["detail"]!["rules"]!.AsObject().Select(r => (r.Key, r.Value!.GetValue<int>())).OrderBy(r => r.Key), Is.EqualTo(new[]
        {
            ("aws-access-key-id", 1), ("github-token", 1), ("google-api-key", 1), ("jwt", 1), ("private-key", 1), ("secret-base64", 1),
            ("secret-url-encoded", 1), ("secret-value", 4), ("sk-api-key", 1), ("slack-token", 1),
        }));
        var audit = await _admin.GetStringAsync("/v1/tenants/acme/audit?limit=1000");
        Assert.That(audit, Does.Not.Contain("s3cr3t").And.Not.Contain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret))).And.Not.Contain("AKIAIOSFODNN7EXAMPLE"));
    }

    [Test]
    public async Task Off_passes_the_answer_unchanged()
    {
        var (answer, session) = await LeakAsync("plain");

        var content = answer["result"]!["content"]!.AsArray();
        Assert.That(content[0]!["text"]!.GetValue<string>(), Is.EqualTo("raw: " + Secret));
        Assert.That(content[4]!["text"]!.GetValue<string>(), Does.StartWith("aws AKIAIOSFODNN7EXAMPLE github ghp_"));
        Assert.That((await AuditRowAsync(session))["outcome"]!.GetValue<string>(), Is.EqualTo("ok"));
    }

    [Test]
    public async Task An_answer_with_nothing_to_redact_passes_under_redact()
    {
        using var mcp = _smcp.Client(_userKey);
        using var opened = await ToolPolicyThroughHostTests.PostAsync(mcp, "notes", null, Initialize);
        var session = opened.Headers.GetValues("Mcp-Session-Id").Single();

        using var called = await ToolPolicyThroughHostTests.PostAsync(mcp, "notes", session, ToolPolicyThroughHostTests.Call(1, "get_forecast"));

        Assert.That(await called.Content.ReadAsStringAsync(), Is.EqualTo("""{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"sunny"}]}}"""));
    }

    private async Task<(JsonNode Answer, string Session)> LeakAsync(string server)
    {
        using var mcp = _smcp.Client(_userKey);
        using var opened = await ToolPolicyThroughHostTests.PostAsync(mcp, server, null, Initialize);
        Assert.That(opened.Headers.Contains("Mcp-Session-Id"), Is.True, await opened.Content.ReadAsStringAsync());
        var session = opened.Headers.GetValues("Mcp-Session-Id").Single();
        using var called = await ToolPolicyThroughHostTests.PostAsync(mcp, server, session, ToolPolicyThroughHostTests.Call(1, "leak"));
        return (JsonNode.Parse(await called.Content.ReadAsStringAsync())!, session);
    }

    private async Task<JsonNode> AuditRowAsync(string session)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var page = await _admin.GetFromJsonAsync<JsonObject>("/v1/tenants/acme/audit?limit=1000");
            var rows = page!["entries"]!.AsArray().Where(e => e!["sessionId"]?.GetValue<string>() == session && e["action"]!.GetValue<string>() == "tools/call").ToList();
            if (rows.Count > 0 || DateTime.UtcNow > deadline)
            {
                Assert.That(rows, Has.Count.EqualTo(1), $"one audit row for tools/call in session {session}");
                return rows[0]!;
            }

            await Task.Delay(100);
        }
    }
}
