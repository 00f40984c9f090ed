using System.Net;
using Docker.DotNet.Models;
using Smcp.Proxy.Tests.Support;
using static Smcp.Proxy.Tests.Stateless.StatelessClient;

namespace Smcp.Proxy.Tests.Stateless;

/// <summary>A 2026-07-28 client in front of an older stdio server (the C# SDK conformance server): SMCP initializes it and answers what that revision changed.</summary>
public sealed class BridgedServerTests
{
    private static readonly McpHttp Old = TestHost.Http("acme", "conf");

    [Test]
    public async Task Discover_is_answered_from_the_old_servers_initialize_and_calls_pass_through()
    {
        var (discoverStatus, discover, _) = await SendAsync(Old, Post(Old, Body(1, "server/discover"), "server/discover"));
        var (callStatus, call, _) = await SendAsync(Old, Post(Old, Call(2, "echo", """{"message":"old"}"""), "tools/call", "echo"));
        var (pingStatus, ping, _) = await SendAsync(Old, Post(Old, Body(3, "ping"), "ping"));

        Assert.Multiple(() =>
        {
            Assert.That(discoverStatus, Is.EqualTo(HttpStatusCode.OK), discover.ToJsonString());
            Assert.That(discover["result"]!["supportedVersions"]!.ToJsonString(), Is.EqualTo("""["2026-07-28"]"""));
            Assert.That(discover["result"]!["capabilities"]!["tools"], Is.Not.Null, discover.ToJsonString());
            Assert.That(discover["result"]!["capabilities"]!["logging"], Is.Null, discover.ToJsonString());
            Assert.That(discover["result"]!["_meta"]!["io.modelcontextprotocol/serverInfo"]!["name"], Is.Not.Null, discover.ToJsonString());
            Assert.That(callStatus, Is.EqualTo(HttpStatusCode.OK), call.ToJsonString());
            Assert.That(call["result"]!["content"]![0]!["text"]!.GetValue<string>(), Is.EqualTo("Echo: old"));
        });
        StatelessRequestTests.AssertRefused(pingStatus, ping, HttpStatusCode.NotFound, -32601, 3);
    }

    [Test]
    public async Task A_server_that_ends_before_answering_the_probe_is_a_502_and_leaves_no_sandbox()
    {
        var quitter = TestHost.Http("acme", "quitter");
        var (status, body, _) = await SendAsync(quitter, Post(quitter, Body(5, "tools/list"), "tools/list"));

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadGateway), body.ToJsonString());
        Assert.That(body["error"]!["message"]!.GetValue<string>(), Does.Contain("answered neither server/discover nor initialize"));
        Assert.That(body["id"]!.GetValue<int>(), Is.EqualTo(5));
        var left = int.MaxValue;
        for (var i = 0; i < 40 && left > 0; i++)
        {
            left = (await TestHost.Docker.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { ["smcp.server=quitter"] = true } },
            })).Count;
            await Task.Delay(left > 0 ? 250 : 0);
        }

        Assert.That(left, Is.Zero, "the sandbox of a failed probe is removed");
    }

    [Test]
    public async Task A_server_request_of_the_old_server_is_refused_to_it_and_the_call_still_ends()
    {
        // test_sampling asks the client for a completion; a stateless client cannot take the request, so the server is told no.
        var (status, body, _) = await SendAsync(Old, Post(Old, Call(4, "test_sampling", """{"prompt":"hi"}"""), "tools/call", "test_sampling"));

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        Assert.That(body["result"]?["isError"]?.GetValue<bool>(), Is.True, body.ToJsonString());
    }
}
