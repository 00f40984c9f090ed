using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Proxy.Tests.Transport;

/// <summary>A proxy configured without the server-to-client GET stream answers GET with 405 and says what it allows.</summary>
public sealed class GetStreamDisabledTests
{
    [Test]
    public async Task Get_returns_405_with_allow_when_the_get_stream_is_disabled()
    {
        var builder = TestHost.NewBuilder("smcp-proxy-tests-noget" + TestHost.InstanceSuffix, o => o.EnableGetStream = false);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapSmcpProxy();
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var http = new McpHttp(address, "acme", "conf");

        using var response = await http.SendAsync(http.Request(HttpMethod.Get, version: "2025-11-25", accept: "text/event-stream"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(response.Content.Headers.Allow, Is.EquivalentTo(new[] { "POST", "DELETE" }));
        await app.StopAsync();
    }
}
