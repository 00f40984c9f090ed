using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Smcp.Proxy.Tests.Clients;

namespace Smcp.Proxy.Tests.Guard;

/// <summary>
/// A real sandboxed server whose tools/list holds two poisoned tools (tests/servers/hostile, argument <c>poisoned</c>),
/// through the proxy to the official C# SDK client on both transports: <c>block</c> filters them out and refuses calls to
/// them with a JSON-RPC error; <c>warn</c> passes them. <see cref="PoisonedServerAuditTests"/> checks the audit rows.
/// </summary>
[TestFixture(HttpTransportMode.StreamableHttp)]
[TestFixture(HttpTransportMode.Sse)]
public sealed class PoisonedServerTests(HttpTransportMode mode)
{
    [Test]
    public async Task Block_lists_only_the_honest_tool_and_refuses_the_poisoned_one_without_forwarding()
    {
        await using var client = await SdkClientTests.ConnectAsync("poisoned-block", mode);

        var tools = await client.ListToolsAsync();
        var refused = Assert.ThrowsAsync<McpProtocolException>(async () => await client.CallToolAsync("add", new Dictionary<string, object?> { ["a"] = 1 }));
        var echo = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "still here" });

        Assert.That(tools.Select(t => t.Name), Is.EqualTo(new[] { "echo" }));
        Assert.That(refused!.Message, Does.Contain("'add' is withheld by the proxy").And.Contain("instruction-tag"));
        Assert.That(echo.Content.OfType<TextContentBlock>().Single().Text, Is.EqualTo("still here"));
    }

    [Test]
    public async Task Warn_passes_the_listing_and_the_calls()
    {
        await using var client = await SdkClientTests.ConnectAsync("poisoned-warn", mode);

        var tools = await client.ListToolsAsync();
        var ran = await client.CallToolAsync("add", new Dictionary<string, object?> { ["a"] = 1, ["b"] = 2 });

        Assert.That(tools.Select(t => t.Name), Is.EqualTo(new[] { "echo", "add", "send_em\u0430il" }));
        Assert.That(ran.Content.OfType<TextContentBlock>().Single().Text, Is.EqualTo("the server ran a poisoned tool"));
    }
}
