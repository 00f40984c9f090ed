using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smcp.Proxy.Http;
using Smcp.Proxy.Ports;
using Smcp.Proxy.Sessions;
using Yarp.ReverseProxy.Forwarder;

namespace Smcp.Proxy.Replicas;

/// <summary>
/// The step in front of the session lookup of <c>/t/{tenant}/{server}/mcp</c>: a request for a session another replica
/// holds is authenticated here, looked up in the directory under the credential's tenant, and forwarded to the owner's
/// internal listener, streamed both ways (SSE included). No owner, or an owner that cannot be reached: 404, so the
/// client initializes a new session. Sessions this replica holds, and requests already forwarded once, pass straight on.
/// </summary>
internal sealed class SessionForwarder(
    SessionStore sessions, ISessionDirectory directory, RequestGuard guard, IHttpForwarder forwarder, ReplicaHop hop, ReplicaClient client,
    IOptions<ProxyOptions> proxyOptions, ILogger<SessionForwarder> logger) : IEndpointFilter
{
    private readonly ForwarderRequestConfig _config = new()
    {
        // A GET stream may stay quiet for long; the owner bounds how long any request lives.
        ActivityTimeout = proxyOptions.Value.MaxRequestDuration,
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    private readonly HopTransformer _transformer = new(hop);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (!directory.IsShared || ReplicaHop.IsForwarded(context)
            || context.Request.Headers[McpRequestReader.SessionHeader].ToString() is not { Length: > 0 } sessionId
            || sessions.Find(sessionId) is not null)
        {
            return await next(invocation).ConfigureAwait(false);
        }

        var tenant = (string)context.Request.RouteValues["tenant"]!;
        var server = (string)context.Request.RouteValues["server"]!;
        if (await guard.AdmitAsync(context, tenant, server).ConfigureAwait(false) is null)
        {
            return Results.Empty;
        }

        // The credential may use this tenant's servers (checked above), and the directory answers only within that tenant:
        // a session id of another tenant is not found, whatever the URL says.
        if (await directory.FindOwnerAsync(tenant, sessionId, context.RequestAborted).ConfigureAwait(false) is not { } owner)
        {
            await NotFoundAsync(context).ConfigureAwait(false);
            return Results.Empty;
        }

        var started = Stopwatch.GetTimestamp();
        var error = await forwarder.SendAsync(context, owner.GetLeftPart(UriPartial.Authority), client.Invoker, _config, _transformer).ConfigureAwait(false);
        if (error != ForwarderError.None)
        {
            Log.ForwardFailed(logger, tenant, server, owner.Authority, error, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (!context.Response.HasStarted && error is ForwarderError.Request or ForwarderError.RequestTimedOut)
            {
                // The owner is gone (or going): its sessions are lost, and the client's way on is a new session. Nothing listens
                // where it did: its row goes now rather than at the end of its lease, so the new session finds its slot free.
                if (IsRefused(context.GetForwarderErrorFeature()?.Exception))
                {
                    await directory.ForgetAsync(tenant, sessionId, CancellationToken.None).ConfigureAwait(false);
                }

                context.Response.Headers.Clear();
                await NotFoundAsync(context).ConfigureAwait(false);
            }
        }

        return Results.Empty;
    }

    private static bool IsRefused(Exception? error) =>
        error is HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } };

    private static Task NotFoundAsync(HttpContext context) =>
        HttpErrors.WriteAsync(context, StatusCodes.Status404NotFound, "Session not found: it has ended or never existed. Initialize a new session.");

    /// <summary>Keeps the client's Host (the owner checks it, and derives token audiences from it) and adds the signed hop headers.</summary>
    private sealed class HopTransformer(ReplicaHop hop) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
            proxyRequest.Headers.Host = httpContext.Request.Host.Value;
            foreach (var (name, value) in hop.Sign(httpContext))
            {
                proxyRequest.Headers.TryAddWithoutValidation(name, value);
            }
        }
    }
}
