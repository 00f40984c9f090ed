using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Smcp.Proxy.Http;

namespace Smcp.Proxy.Replicas;

/// <summary>
/// The gate of the internal listener: it takes only MCP requests forwarded by another replica, with a good signature.
/// On every other listener a request carrying any <c>Smcp-Replica-*</c> header is refused: no client can pose as a hop.
/// </summary>
internal sealed class ReplicaHopMiddleware(RequestDelegate next, ReplicaHop hop, IOptions<ReplicaOptions> options)
{
    private readonly int? _internalPort = options.Value.Enabled && Uri.TryCreate(options.Value.InternalListen, UriKind.Absolute, out var listen) ? listen.Port : null;

    public async Task InvokeAsync(HttpContext context)
    {
        if (_internalPort is { } port && context.Connection.LocalPort == port)
        {
            if (!hop.TryAccept(context))
            {
                await HttpErrors.WriteAsync(context, StatusCodes.Status403Forbidden, "This listener takes only requests forwarded by another SMCP replica.").ConfigureAwait(false);
                return;
            }

            if (!IsMcpPath(context.Request.Path))
            {
                await HttpErrors.WriteAsync(context, StatusCodes.Status404NotFound, "The internal listener serves only /t/{tenant}/{server}/mcp.").ConfigureAwait(false);
                return;
            }
        }
        else if (ReplicaHop.CarriesHopHeaders(context.Request))
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status400BadRequest,
                $"{ReplicaHop.HeaderPrefix}* headers are accepted only between SMCP replicas, on their internal listener.").ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    private static bool IsMcpPath(PathString path) =>
        path.Value?.Split('/') is ["", "t", { Length: > 0 }, { Length: > 0 }, "mcp"];
}
