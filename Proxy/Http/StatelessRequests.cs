using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smcp.Proxy.Json;
using Smcp.Proxy.Ports;
using Smcp.Proxy.Sessions;
using Smcp.Sandbox.Telemetry;

namespace Smcp.Proxy.Http;

/// <summary>
/// 2026-07-28 requests, which carry their version and capabilities in <c>_meta</c> and name no session: each goes to the
/// sandbox its credential has for the server (<see cref="SessionStore.StatelessAsync"/>), its requestState unsealed on the way in.
/// </summary>
internal sealed class StatelessRequests(SessionOpener opener, SessionStore sessions, IOptions<ProxyOptions> options, ILoggerFactory loggers)
{
    public const string ForeignStateMessage = "requestState was not issued by SMCP to this credential for this server, or it was altered; start the request again without it.";

    private readonly ProxyOptions _options = options.Value;
    private readonly ILogger _logger = loggers.CreateLogger("Smcp.Proxy.Http");

    /// <summary>A GET or DELETE of a 2026-07-28 client: that revision has neither a standalone stream nor a session; true after the 405 has been written.</summary>
    public static async Task<bool> RefuseMethodAsync(HttpContext context)
    {
        if (!StatelessEnvelope.IsStatelessVersion(context.Request.Headers[McpRequestReader.VersionHeader]))
        {
            return false;
        }

        context.Response.Headers.Allow = "POST";
        await HttpErrors.WriteAsync(context, StatusCodes.Status405MethodNotAllowed,
            $"Protocol revision {StatelessEnvelope.Version} has no GET stream and no session to delete: POST each request.").ConfigureAwait(false);
        return true;
    }

    public async Task PostAsync(HttpContext context, SmcpPrincipal principal, string tenant, string server, JsonRpcMessage message, Activity? activity)
    {
        if (message.Kind == MessageKind.Request)
        {
            var keys = sessions.Keys;
            if (RequestStateSeal.Unseal(message.Line, state => keys.Unseal(principal.Id, tenant, server, state)) is not { } line)
            {
                await HttpErrors.WriteAsync(context, StatusCodes.Status400BadRequest, ForeignStateMessage, message.Id, ErrorCodes.InvalidParams).ConfigureAwait(false);
                return;
            }

            message = message with { Line = line };
        }

        // A sandbox that ends between finding it and writing to it is opened anew, once.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (await opener.StatelessAsync(context, principal, tenant, server, message).ConfigureAwait(false) is not { } session)
            {
                return;
            }

            activity?.SetTag(TelemetryTags.Session, session.Id);
            using var scope = Log.SessionScope(_logger, tenant, server, session.Id);
            var outcome = await session.SubmitAsync([message]).ConfigureAwait(false);
            switch (outcome.Status)
            {
                case SubmitStatus.Ended:
                    continue;
                case SubmitStatus.TooManyInFlight:
                    await HttpErrors.TooManyAsync(context, TimeSpan.FromSeconds(1),
                        $"This credential already has {_options.MaxInFlightRequestsPerSession} requests in flight to this server.", message.Id).ConfigureAwait(false);
                    return;
                case SubmitStatus.BudgetFull:
                    await HttpErrors.TooManyAsync(context, TimeSpan.FromSeconds(1), StreamableHttpEndpoint.BudgetFullMessage, message.Id).ConfigureAwait(false);
                    return;
            }

            if (outcome.Exchange is not { } exchange)
            {
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                return;
            }

            try
            {
                await ExchangeResponder.RespondAsync(context, session, exchange, batch: false, _options.SseRetry).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                if (message.Id is { } id)
                {
                    session.Abandon(id);
                }
            }

            return;
        }

        await HttpErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "The MCP server's sandbox ended twice while this request was sent; try again.", message.Id)
            .ConfigureAwait(false);
    }
}
