using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Smcp.Proxy.Http;
using Smcp.Proxy.Sessions;
using Smcp.Proxy.Tests.Support;
using static Smcp.Proxy.Tests.Stateless.StatelessClient;

namespace Smcp.Proxy.Tests.Stateless;

/// <summary>
/// 2026-07-28 requests through the proxy to a server of that revision (TypeScript SDK v2): what passes, and every
/// hostile envelope, header and requestState refused before it reaches the sandbox.
/// </summary>
public sealed class StatelessRequestTests
{
    private static readonly McpHttp Modern = TestHost.Http("acme", "modern");

    [Test]
    public async Task A_call_with_the_envelope_is_answered_without_a_session()
    {
        var (status, body, response) = await SendAsync(Modern, Post(Modern, Call(1, "echo", """{"message":"hi"}"""), "tools/call", "echo"));

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
            Assert.That(body["result"]!["content"]![0]!["text"]!.GetValue<string>(), Is.EqualTo("Echo: hi"));
            Assert.That(response.Headers.Contains("Mcp-Session-Id"), Is.False);
        });
    }

    [Test]
    public async Task A_name_in_the_base64_form_that_decodes_to_the_body_name_passes()
    {
        var (status, body, _) = await SendAsync(Modern, Post(Modern, Call(2, "echo", """{"message":"b64"}"""), "tools/call", Base64Name("echo")));

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
    }

    [Test]
    public async Task A_version_header_that_is_no_revision_date_does_not_open_the_stateless_path()
    {
        var post = Post(Modern, """{"jsonrpc":"2.0","id":16,"method":"tools/list"}""", "tools/list", version: "v999.0.0");
        var (status, body, _) = await SendAsync(Modern, post);
        using var get = await Modern.SendAsync(Modern.Request(HttpMethod.Get, version: "v999.0.0", accept: "text/event-stream"));

        AssertRefused(status, body, HttpStatusCode.BadRequest, -32600, null);
        Assert.That(body["error"]!["message"]!.GetValue<string>(), Does.StartWith("Unsupported MCP-Protocol-Version 'v999.0.0'"));
        Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task A_removed_method_answered_by_the_server_gets_404()
    {
        var (status, body, _) = await SendAsync(Modern, Post(Modern, Body(15, "ping"), "ping"));

        AssertRefused(status, body, HttpStatusCode.NotFound, -32601, 15);
    }

    [Test]
    public async Task RequestState_is_sealed_and_only_its_own_credential_gets_it_back_through()
    {
        const string tool = "test_input_required_result_request_state";
        var (_, first, _) = await SendAsync(Modern, Post(Modern, Call(20, tool, capabilities: """{"elicitation":{}}"""), "tools/call", tool));
        var state = first["result"]!["requestState"]!.GetValue<string>();
        string Retry(object id, string sealedState) => Call(id, tool,
            extra: ",\"inputResponses\":{\"confirm\":{\"action\":\"accept\",\"content\":{\"ok\":true}}},\"requestState\":" + JsonValue.Create(sealedState).ToJsonString(),
            capabilities: """{"elicitation":{}}""");
        var tampered = state[..^1] + (state[^1] == '1' ? '2' : '1');
        var forgedMac = "smcp1.AAAA" + state[(state.IndexOf('.', 6))..];

        var (okStatus, ok, _) = await SendAsync(Modern, Post(Modern, Retry(21, state), "tools/call", tool));
        var (tamperedStatus, tamperedBody, _) = await SendAsync(Modern, Post(Modern, Retry(22, tampered), "tools/call", tool));
        var (forgedStatus, forgedBody, _) = await SendAsync(Modern, Post(Modern, Retry(23, forgedMac), "tools/call", tool));
        var (rawStatus, rawBody, _) = await SendAsync(Modern, Post(Modern, Retry(24, "confirm-round-1"), "tools/call", tool));
        var (otherStatus, otherBody, _) = await SendAsync(Modern, Post(Modern, Retry(25, state), "tools/call", tool, token: TestCredentials.AcmeOtherUser));
        var (numberStatus, numberBody, _) = await SendAsync(Modern, Post(Modern,
            Call(26, tool, extra: ""","requestState":12""", capabilities: """{"elicitation":{}}"""), "tools/call", tool));

        Assert.Multiple(() =>
        {
            Assert.That(state, Does.StartWith("smcp1.").And.EndWith(".confirm-round-1"));
            Assert.That(okStatus, Is.EqualTo(HttpStatusCode.OK), ok.ToJsonString());
            Assert.That(ok["result"]!["content"]![0]!["text"]!.GetValue<string>(), Does.Contain("state-ok"));
            AssertRefused(tamperedStatus, tamperedBody, HttpStatusCode.BadRequest, -32602, 22);
            AssertRefused(forgedStatus, forgedBody, HttpStatusCode.BadRequest, -32602, 23);
            AssertRefused(rawStatus, rawBody, HttpStatusCode.BadRequest, -32602, 24);
            AssertRefused(otherStatus, otherBody, HttpStatusCode.BadRequest, -32602, 25);
            AssertRefused(numberStatus, numberBody, HttpStatusCode.BadRequest, -32602, 26);
            Assert.That(otherBody["error"]!["message"]!.GetValue<string>(), Is.EqualTo(StatelessRequests.ForeignStateMessage));
        });
    }

    [Test]
    public async Task Each_credential_gets_its_own_sandbox_and_keeps_it()
    {
        await SendAsync(Modern, Post(Modern, Call(30, "echo", """{"message":"a"}"""), "tools/call", "echo"));
        await SendAsync(Modern, Post(Modern, Call(31, "echo", """{"message":"a"}"""), "tools/call", "echo"));
        await SendAsync(Modern, Post(Modern, Call(32, "echo", """{"message":"b"}"""), "tools/call", "echo", token: TestCredentials.AcmeOtherUser));

        var sessions = TestHost.Services.GetRequiredService<SessionStore>().All.Where(s => s is { IsStateless: true, Server: "modern", IsEnded: false }).ToList();
        var mine = sessions.Where(s => s.Principal.Id == "key:acme-user").ToList();
        var others = sessions.Where(s => s.Principal.Id == "key:acme-other").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(mine, Has.Count.EqualTo(1));
            Assert.That(others, Has.Count.EqualTo(1));
            Assert.That(mine[0].Sandbox.Id, Is.Not.EqualTo(others[0].Sandbox.Id));
        });

        // The correlation key is never accepted as an Mcp-Session-Id.
        using var response = await Modern.PostAsync(McpHttp.Call(33, "echo", """{"message":"c"}"""), mine[0].Id);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Requests_to_a_live_sandbox_do_not_look_the_server_up_again()
    {
        var quiet = TestHost.Http("acme", "modern-quiet");
        var (first, firstBody, _) = await SendAsync(quiet, Post(quiet, Call(40, "echo", """{"message":"1"}"""), "tools/call", "echo"));
        var opened = TestHost.Catalog.Lookups("acme", "modern-quiet");
        for (var i = 41; i < 44; i++)
        {
            var (status, body, _) = await SendAsync(quiet, Post(quiet, Call(i, "echo", """{"message":"n"}"""), "tools/call", "echo"));
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        }

        Assert.That(first, Is.EqualTo(HttpStatusCode.OK), firstBody.ToJsonString());
        Assert.That(TestHost.Catalog.Lookups("acme", "modern-quiet"), Is.EqualTo(opened));
    }

    [Test]
    public async Task A_listen_stream_the_client_drops_is_cancelled_and_frees_its_place()
    {
        var listenBody = Body(50, "subscriptions/listen", "\"notifications\":{\"toolsListChanged\":true}");
        using (var response = await Modern.SendAsync(Post(Modern, listenBody, "subscriptions/listen", token: TestCredentials.AcmeOtherUser), streaming: true))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var events = await McpHttp.ReadEventsAsync(response, max: 2);
            Assert.That(events.Any(e => e.Data.Contains("notifications/subscriptions/acknowledged", StringComparison.Ordinal)), Is.True,
                string.Join("\n", events.Select(e => e.Data)));
        }

        var session = TestHost.Services.GetRequiredService<SessionStore>().All.Single(s => s is { IsStateless: true, Server: "modern" } && s.Principal.Id == "key:acme-other");
        for (var i = 0; i < 40 && session.InFlight > 0; i++)
        {
            await Task.Delay(250);
        }

        Assert.That(session.InFlight, Is.Zero);
    }

    internal static void AssertRefused(HttpStatusCode status, JsonObject body, HttpStatusCode expected, int code, int? id)
    {
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(expected), body.ToJsonString());
            Assert.That(body["error"]?["code"]?.GetValue<int>(), Is.EqualTo(code), body.ToJsonString());
            Assert.That(body["id"]?.GetValue<int>(), Is.EqualTo(id), body.ToJsonString());
        });
    }
}
