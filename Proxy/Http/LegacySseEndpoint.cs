using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Smcp.Proxy.Json;
using Smcp.Proxy.Sessions;

namespace Smcp.Proxy.Http;

/// <summary>
/// The HTTP+SSE transport of 2024-11-05: GET <c>/sse</c> opens a session and its one stream, which
/// first names the POST endpoint; every answer and server message goes to that stream. Closing the
/// stream ends the session.
/// </summary>
internal sealed class LegacySseEndpoint(RequestGuard guard, SessionOpener opener, SessionStore sessions, IOptions<ProxyOptions> options)
{
    private readonly ProxyOptions _options = options.Value;

    public async Task GetAsync(HttpContext context, string tenant, string server)
    {
        if (await guard.AdmitAsync(context, tenant, server).ConfigureAwait(false) is not { } principal
            || await opener.OpenAsync(context, principal, tenant, server, legacy: true, id: null).ConfigureAwait(false) is not { } session)
        {
            return;
        }

        var writer = new SseWriter(context.Response);
        try
        {
            await writer.StartAsync(session.GetStream, 0, prime: false, _options.SseRetry, context.RequestAborted).ConfigureAwait(false);
            var endpoint = $"{context.Request.PathBase}/t/{UrlEncoder.Default.Encode(tenant)}/{UrlEncoder.Default.Encode(server)}/messages?sessionId={session.Id}";
            await writer.WriteEndpointAsync(endpoint, context.RequestAborted).ConfigureAwait(false);
            await writer.PumpAsync(session.GetStream, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The legacy transport cannot resume: the closed stream ends the session below.
        }
        finally
        {
            await session.EndAsync("legacy SSE stream closed", "The session's event stream closed.").ConfigureAwait(false);
        }
    }

    public async Task PostAsync(HttpContext context, string tenant, string server)
    {
        if (await guard.AdmitAsync(context, tenant, server).ConfigureAwait(false) is not { } principal)
        {
            return;
        }

        if (await sessions.FindForRequestAsync(context.Request.Query["sessionId"].ToString()).ConfigureAwait(false) is not { IsLegacy: true } session || !session.BelongsTo(principal, tenant, server))
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status404NotFound, "Session not found: it has ended or never existed.").ConfigureAwait(false);
            return;
        }

        if (await McpRequestReader.ReadMessagesAsync(context, _options.MaxRequestBodyBytes).ConfigureAwait(false) is not { } body)
        {
            return;
        }

        // Every message counts against the tenant's budget: notifications, responses and each member of a batch too.
        var first = body.Messages.FirstOrDefault(m => m.Kind == MessageKind.Request) ?? body.Messages[0];
        if (!await opener.AdmitRequestAsync(context, principal, tenant, session.Target, first.Method ?? "response", first.Id, session.Id, body.Messages.Count).ConfigureAwait(false))
        {
            return;
        }

        var outcome = await session.SubmitAsync(body.Messages).ConfigureAwait(false);
        if (outcome.Status == SubmitStatus.TooManyInFlight)
        {
            await HttpErrors.TooManyAsync(context, TimeSpan.FromSeconds(1),
                $"This session already has {_options.MaxInFlightRequestsPerSession} requests in flight.").ConfigureAwait(false);
            return;
        }

        if (outcome.Status == SubmitStatus.BudgetFull)
        {
            await HttpErrors.TooManyAsync(context, TimeSpan.FromSeconds(1), StreamableHttpEndpoint.BudgetFullMessage).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = outcome.Status == SubmitStatus.Ended ? StatusCodes.Status404NotFound : StatusCodes.Status202Accepted;
    }
}
