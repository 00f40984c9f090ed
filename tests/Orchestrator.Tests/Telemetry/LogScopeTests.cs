using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Telemetry;

/// <summary>
/// Structured logs on the MCP path of a real host: a line the proxy writes while it answers a request runs in a scope
/// that names the tenant (from the credential), the server and the session, and no line or scope holds an API key.
/// </summary>
public sealed class LogScopeTests
{
    private const string ListTools = """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""";

    /// <summary>Log event 3970: the tool-definition scan removed entries from a listing (written before the answer goes out).</summary>
    private const int ListingFiltered = 3970;

    [Test]
    public async Task A_line_logged_while_answering_an_MCP_request_has_tenant_server_and_session_in_its_scope_and_never_the_key()
    {
        await using var smcp = await SmcpServerFixture.StartAsync("logscope", """
            tenants:
              - id: acme
                toolScan: block
            """);
        var capture = new CapturingLoggerProvider();
        smcp.Services.GetRequiredService<ILoggerFactory>().AddProvider(capture);
        using var admin = smcp.Client(SmcpServerFixture.AdminKey);
        var key = await SmcpServerFixture.DeployAsync(admin, "smcp-test/hostile:test", args: ["poisoned"]);
        var forged = key[..^8] + "AAAAAAAA";
        using (var stranger = smcp.Client(forged))
        {
            Assert.That((await SmcpServerFixture.PostMcpAsync(stranger, null, SmcpServerFixture.Initialize)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        using var mcp = smcp.Client(key);
        var session = await HostMcp.InitializeAsync(mcp);
        var listed = await SmcpServerFixture.PostMcpAsync(mcp, session, ListTools);
        Assert.That(await listed.Content.ReadAsStringAsync(), Does.Contain("\"echo\"").And.Not.Contain("\"add\""), "the scan removed the poisoned tool");

        var line = capture.Lines.FirstOrDefault(l => l.EventId.Id == ListingFiltered && l.Message.Contains(session, StringComparison.Ordinal));
        Assert.That(line, Is.Not.Null, "the proxy logs the filtered listing before it answers: " + string.Join('\n', capture.Lines.Select(l => l.Message)));
        var scope = line!.Scopes.Last(s => s.ContainsKey("SessionId"));
        Assert.That((scope["Tenant"], scope["Server"], scope["SessionId"]), Is.EqualTo(("acme", "notes", session)));
        Assert.That(line.ScopeText, Does.Contain($"Tenant acme server notes session {session}"));

        var secrets = new[] { key, key["smcp_acme_".Length..], forged["smcp_acme_".Length..], SmcpServerFixture.AdminKey };
        var leaks = capture.Lines.Where(l => secrets.Any(s => l.Message.Contains(s, StringComparison.Ordinal) || l.ScopeText.Any(t => t.Contains(s, StringComparison.Ordinal))));
        Assert.That(leaks.Select(l => $"{l.Category}: {l.Message}"), Is.Empty, "no log line or scope holds a key");
        Assert.That(capture.Lines, Has.Count.GreaterThan(1), "the host logged while the test ran");
    }
}
