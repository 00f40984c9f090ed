using System.Net;
using Smcp.Proxy.Http;
using Smcp.Proxy.Tests.Support;
using static Smcp.Proxy.Tests.Stateless.StatelessClient;
using static Smcp.Proxy.Tests.Stateless.StatelessRequestTests;

namespace Smcp.Proxy.Tests.Stateless;

/// <summary>
/// Hostile 2026-07-28 envelopes and headers, refused by SMCP itself: against a server of that revision (which would refuse some
/// of them too) and against an older server (which checks none of them), so the refusal is shown to be SMCP's.
/// </summary>
[TestFixture("modern")]
[TestFixture("conf")]
public sealed class StatelessRefusalTests(string server)
{
    private readonly McpHttp _http = TestHost.Http("acme", server);

    [TestCase("tools/list", "echo", TestName = "Mcp-Method naming another method")]
    [TestCase(null, "echo", TestName = "Mcp-Method missing")]
    [TestCase("tools/call", "test_simple_text", TestName = "Mcp-Name naming another tool")]
    [TestCase("tools/call", null, TestName = "Mcp-Name missing")]
    [TestCase("tools/call", "=?base64?not base64!?=", TestName = "Mcp-Name with a broken base64 form")]
    public async Task A_header_that_disagrees_with_the_body_is_a_header_mismatch(string? method, string? name)
    {
        var (status, body, _) = await SendAsync(_http, Post(_http, Call(7, "echo", """{"message":"x"}"""), method, name));

        AssertRefused(status, body, HttpStatusCode.BadRequest, -32020, 7);
    }

    [Test]
    public async Task A_version_header_that_differs_from_the_envelope_or_is_missing_is_a_header_mismatch()
    {
        var (differs, differsBody, _) = await SendAsync(_http, Post(_http, Call(8, "echo", """{"message":"x"}"""), "tools/call", "echo", version: "2025-11-25"));
        var (missing, missingBody, _) = await SendAsync(_http, Post(_http, Call(9, "echo", """{"message":"x"}"""), "tools/call", "echo", version: null));

        AssertRefused(differs, differsBody, HttpStatusCode.BadRequest, -32020, 8);
        AssertRefused(missing, missingBody, HttpStatusCode.BadRequest, -32020, 9);
    }

    [Test]
    public async Task An_unknown_version_is_refused_with_the_versions_served()
    {
        var request = Post(_http, Body(10, "tools/list", meta: Meta(version: "2099-01-01")), "tools/list", version: "2099-01-01");
        var (status, body, _) = await SendAsync(_http, request);

        AssertRefused(status, body, HttpStatusCode.BadRequest, -32022, 10);
        Assert.That(body["error"]!["data"]!.ToJsonString(), Is.EqualTo("""{"supported":["2026-07-28"],"requested":"2099-01-01"}"""));
    }

    [TestCase("""{"jsonrpc":"2.0","id":11,"method":"tools/list"}""", TestName = "2026-07-28 header and no _meta")]
    [TestCase("""{"jsonrpc":"2.0","id":11,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}""", TestName = "no clientCapabilities")]
    [TestCase("""{"jsonrpc":"2.0","id":11,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":[]}}}""", TestName = "clientCapabilities not an object")]
    [TestCase("""{"jsonrpc":"2.0","id":11,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":7,"io.modelcontextprotocol/clientCapabilities":{}}}}""", TestName = "protocolVersion not a string")]
    [TestCase("""{"jsonrpc":"2.0","id":11,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":"me"}}}""", TestName = "clientInfo not an object")]
    public async Task A_missing_or_malformed_envelope_is_invalid_params(string body)
    {
        var (status, answer, _) = await SendAsync(_http, Post(_http, body, "tools/list"));

        AssertRefused(status, answer, HttpStatusCode.BadRequest, -32602, 11);
    }

    [Test]
    public async Task An_envelope_over_16_KiB_is_refused_before_the_sandbox()
    {
        var padding = new string('x', StatelessEnvelope.MaxMetaBytes);
        var meta = Meta()[..^1] + ",\"pad\":\"" + padding + "\"}";
        var (status, body, _) = await SendAsync(_http, Post(_http, Body(12, "tools/list", meta: meta), "tools/list"));

        AssertRefused(status, body, HttpStatusCode.BadRequest, -32602, 12);
        Assert.That(body["error"]!["message"]!.GetValue<string>(), Does.Contain("16384 bytes"));
    }

    [Test]
    public async Task A_session_id_or_a_batch_with_a_stateless_request_is_an_invalid_request()
    {
        var withSession = Post(_http, Call(13, "echo", """{"message":"x"}"""), "tools/call", "echo");
        withSession.Headers.Add("Mcp-Session-Id", "anything");
        var (sessionStatus, sessionBody, _) = await SendAsync(_http, withSession);
        var (batchStatus, batchBody, _) = await SendAsync(_http, Post(_http, "[" + Call(14, "echo", """{"message":"x"}""") + "]", "tools/call", "echo"));

        AssertRefused(sessionStatus, sessionBody, HttpStatusCode.BadRequest, -32600, 13);
        AssertRefused(batchStatus, batchBody, HttpStatusCode.BadRequest, -32600, null);
    }

    [Test]
    public async Task Get_and_delete_of_a_2026_07_28_client_are_405()
    {
        using var get = await _http.SendAsync(_http.Request(HttpMethod.Get, version: StatelessClient.Version, accept: "text/event-stream"));
        using var delete = await _http.SendAsync(_http.Request(HttpMethod.Delete, version: StatelessClient.Version, session: "anything"));

        Assert.Multiple(() =>
        {
            Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
            Assert.That(get.Content.Headers.Allow, Is.EqualTo(new[] { "POST" }));
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        });
    }
}
