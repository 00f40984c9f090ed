using System.Text.Json;
using Smcp.Proxy.Ports;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Proxy.Tests.Guard;

/// <summary>
/// The poisoned server (tests/servers/hostile, argument <c>poisoned</c>) over raw HTTP, where the test knows the session:
/// what the audit rows say, and the homoglyph tool's call (the SDK client will not send a non-ASCII name in its headers).
/// </summary>
public sealed class PoisonedServerAuditTests
{
    private const string Homoglyph = "send_em\u0430il";

    [Test]
    public async Task Block_audits_the_removed_tools_with_rule_and_pointer_and_refuses_a_call_by_an_escaped_name()
    {
        var http = TestHost.Http("acme", "poisoned-block");
        var session = await http.InitializeAsync();

        var listed = await AnswerAsync(http, session, """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""");
        var call = await AnswerAsync(http, session, """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"send_em\u0430il","arguments":{}}}""");

        Assert.That(listed.GetProperty("result").GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()), Is.EqualTo(new[] { "echo" }));
        Assert.That(call.GetProperty("id").GetInt32(), Is.EqualTo(3));
        Assert.That(call.GetProperty("error").GetProperty("code").GetInt32(), Is.EqualTo(-32602));
        Assert.That(call.GetProperty("error").GetProperty("message").GetString(), Does.Contain("withheld by the proxy").And.Contain("mixed-script at '/tools/2/name'"));
        var list = await AuditAsync(session, "tools/list");
        Assert.That(list.Outcome, Is.EqualTo("filtered"));
        Assert.That(list.Detail!.Value.GetProperty("removed").EnumerateArray()
                .Select(r => (r.GetProperty("key").GetString(), r.GetProperty("rule").GetString(), r.GetProperty("pointer").GetString())),
            Is.EqualTo(new[] { ("add", "instruction-tag", "/tools/1/description"), (Homoglyph, "mixed-script", "/tools/2/name") }));
        var refused = await AuditAsync(session, "tools/call");
        Assert.That((refused.Outcome, refused.Target), Is.EqualTo(("withheld", Homoglyph)));
    }

    [Test]
    public async Task Warn_audits_every_rule_the_listing_breaks_and_removes_nothing()
    {
        var http = TestHost.Http("acme", "poisoned-warn");
        var session = await http.InitializeAsync();

        var listed = await AnswerAsync(http, session, """{"jsonrpc":"2.0","id":2,"method":"tools/list"}""");

        Assert.That(listed.GetProperty("result").GetProperty("tools").GetArrayLength(), Is.EqualTo(3));
        var list = await AuditAsync(session, "tools/list");
        Assert.That(list.Outcome, Is.EqualTo("flagged"));
        Assert.That(list.Detail!.Value.GetProperty("shown").EnumerateArray().Select(f => f.GetProperty("rule").GetString()),
            Is.SupersetOf(new[] { "instruction-tag", "secret-path", "conceal-from-user", "mixed-script" }));
        Assert.That(list.Detail!.Value.TryGetProperty("removed", out _), Is.False);
    }

    private static async Task<JsonElement> AnswerAsync(McpHttp http, string session, string body)
    {
        using var response = await http.PostAsync(body, session);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), text);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    // The audit row is queued just after the answer is handed to the stream: the client may read the answer first.
    private static async Task<McpAuditEvent> AuditAsync(string session, string method)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var rows = TestHost.Recorder.Audit.Where(e => e.SessionId == session && e.Method == method).ToList();
            if (rows.Count > 0 || DateTime.UtcNow > deadline)
            {
                Assert.That(rows, Has.Count.EqualTo(1), $"one audit row for {method} of session {session}");
                return rows[0];
            }

            await Task.Delay(20);
        }
    }
}
