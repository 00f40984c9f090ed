using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Smcp.Proxy.Replicas;

/// <summary>The one HTTP client a replica forwards with: no proxy, no redirects, no cookies, no decompression, a short connect timeout.</summary>
internal sealed class ReplicaClient(IOptions<ReplicaOptions> options) : IDisposable
{
    public HttpMessageInvoker Invoker { get; } = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = options.Value.ConnectTimeout,
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
    });

    public void Dispose() => Invoker.Dispose();
}
