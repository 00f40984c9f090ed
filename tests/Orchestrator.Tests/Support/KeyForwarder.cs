using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Transforms;

namespace Smcp.Orchestrator.Tests.Support;

/// <summary>A loopback reverse proxy (YARP) that adds one API key to every request, for clients that cannot send a header.</summary>
/// <remarks>The official conformance runner has no option for a credential; behind this it reaches a real SMCP host as a key's holder would.</remarks>
internal sealed class KeyForwarder : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KeyForwarder(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<KeyForwarder> StartAsync(Uri destination, string key)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddHttpForwarder();
        var app = builder.Build();
        app.MapForwarder("/{**path}", destination.GetLeftPart(UriPartial.Authority), transforms =>
        {
            // The host the client asked for goes on unchanged, so SMCP's own Host and Origin checks still see it.
            transforms.AddOriginalHost(true);
            transforms.AddRequestHeader("Authorization", "Bearer " + key, append: false);
        });
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new KeyForwarder(app, address.Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
