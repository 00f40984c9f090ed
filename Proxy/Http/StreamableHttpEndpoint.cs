using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smcp.Proxy.Json;
using Smcp.Proxy.Sessions;
using Smcp.Proxy.Telemetry;
using Smcp.Sandbox.Telemetry;

namespace Smcp.Proxy.Http;

/// <summary>MCP Streamable HTTP (2025-03-26, 2025-06-18, 2025-11-25; 2026-07-28 through <see cref="StatelessRequests"/>) at <c>/t/{tenant}/{server}/mcp</c>: POST, GET and DELETE.</summary>
internal sealed class StreamableHttpEndpoint(
    RequestGuard guard, SessionOpener opener, SessionStore sessions, StatelessRequests statelessRequests, IOptions<ProxyOptions> options, ILoggerFactory loggers)
{
    private readonly ProxyOptions _options = options.Value;
    private readonly ILogger _logger = loggers.CreateLogger("Smcp.Proxy.Http");

    public async Task PostAsync(HttpContext context, string tenant, string server)
    {
        if (await guard.AdmitAsync(context, tenant, server).ConfigureAwait(false) is not { } principal)
        {
            return;
        }

        var request = context.Request;
        if (!McpRequestReader.Accepts(request, "application/json", "text/event-stream"))
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status406NotAcceptable, "Accept must list both application/json and text/event-stream.").ConfigureAwait(false);
            return;
        }

        if (!McpRequestReader.IsJson(request))
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Content-Type must be application/json.").ConfigureAwait(false);
            return;
        }

        // An unknown version header is refused after the body is read: a 2026-07-28 envelope in it gets that revision's own answer.
        var version = McpRequestReader.Version(request);
        if (await McpRequestReader.ReadMessagesAsync(context, _options.MaxRequestBodyBytes).ConfigureAwait(false) is not { } body)
        {
            return;
        }

        var first = body.Messages.FirstOrDefault(m => m.Kind == MessageKind.Request) ?? body.Messages[0];
        using var activity = ProxyTracing.StartRequest(tenant, first.Method);
        var stateless = StatelessEnvelope.Check(request.Headers, body);
        if (stateless.Refusal is { } refusal)
        {
            await HttpErrors.WriteAsync(context, refusal.Status, refusal.Message, body.IsBatch ? null : first.Id, refusal.Code, refusal.Data).ConfigureAwait(false);
            return;
        }

        if (stateless.IsStateless)
        {
            await statelessRequests.PostAsync(context, principal, tenant, server, first, activity).ConfigureAwait(false);
            return;
        }

        if (version is null)
        {
            await UnsupportedVersionAsync(context).ConfigureAwait(false);
            return;
        }
        if (body.Initialize is { } initialize)
        {
            await InitializeAsync(context, principal, tenant, server, body, initialize, activity).ConfigureAwait(false);
            return;
        }

        if (request.Headers[McpRequestReader.SessionHeader].ToString() is not { Length: > 0 } sessionId)
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "Mcp-Session-Id is required on every request after initialize.",
                body.Messages[0].Id, ErrorCodes.InvalidRequest).ConfigureAwait(false);
            return;
        }

        if (await sessions.FindForRequestAsync(sessionId).ConfigureAwait(false) is not { IsLegacy: false, IsStateless: false } session || !session.BelongsTo(principal, tenant, server))
        {
            await SessionNotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        // The negotiated version decides, so leaving the header out does not re-enable batches.
        var negotiated = session.ProtocolVersion ?? version;
        if (body.IsBatch && (version != McpRequestReader.AssumedVersion || negotiated != McpRequestReader.AssumedVersion))
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status400BadRequest, $"Batches are only allowed in protocol version 2025-03-26, not {negotiated}.",
                code: ErrorCodes.InvalidRequest).ConfigureAwait(false);
            return;
        }

        activity?.SetTag(TelemetryTags.Session, session.Id);
        using var scope = Log.SessionScope(_logger, tenant, server, session.Id);

        // Every message counts against the tenant's budget: notifications, responses and each member of a batch too.
        if (!await opener.AdmitRequestAsync(context, principal, tenant, session.Target, first.Method ?? "response", first.Id, session.Id, body.Messages.Count).ConfigureAwait(false))
        {
            return;
        }

        await SubmitAsync(context, session, body, sessionHeader: false).ConfigureAwait(false);
    }

    public async Task GetAsync(HttpContext context, string tenant, string server)
    {
        if (await guard.AdmitAsync(context, tenant, server).ConfigureAwait(false) is not { } principal)
        {
            return;
        }

        if (await StatelessRequests.RefuseMethodAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var request = context.Request;
        if (!McpRequestReader.Accepts(request, "text/event-stream"))
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status406NotAcceptable, "Accept must list text/event-stream.").ConfigureAwait(false);
            return;
        }

        if (McpRequestReader.Version(request) is null)
        {
            await UnsupportedVersionAsync(context).ConfigureAwait(false);
            return;
        }

        if (!_options.EnableGetStream)
        {
            context.Response.Headers.Allow = "POST, DELETE";
            await HttpErrors.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "This server does not offer a GET stream.").ConfigureAwait(false);
            return;
        }

        if (request.Headers[McpRequestReader.SessionHeader].ToString() is not { Length: > 0 } sessionId)
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "Mcp-Session-Id is required.").ConfigureAwait(false);
            return;
        }

        if (await sessions.FindForRequestAsync(sessionId).ConfigureAwait(false) is not { IsLegacy: false, IsStateless: false } session || !session.BelongsTo(principal, tenant, server))
        {
            await SessionNotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        var lastEventId = request.Headers["Last-Event-ID"].ToString();
        if (lastEventId.Length > 0)
        {
            await ResumeAsync(context, session, lastEventId).ConfigureAwait(false);
            return;
        }

        if (session.AttachGetReader(takeOver: false) is not { } reader)
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status409Conflict, "This session already has an open GET stream.").ConfigureAwait(false);
            return;
        }

        await PumpGetStreamAsync(context, session, reader, session.GetDelivered).ConfigureAwait(false);
    }

    public async Task DeleteAsync(HttpContext context, string tenant, string server)
    {
        if (await guard.AdmitAsync(context, tenant, server).ConfigureAwait(false) is not { } principal)
        {
            return;
        }

        if (await StatelessRequests.RefuseMethodAsync(context).ConfigureAwait(false))
        {
            return;
        }

        if (context.Request.Headers[McpRequestReader.SessionHeader].ToString() is not { Length: > 0 } sessionId)
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "Mcp-Session-Id is required.").ConfigureAwait(false);
            return;
        }

        if (await sessions.FindForRequestAsync(sessionId).ConfigureAwait(false) is not { IsLegacy: false, IsStateless: false } session || !session.BelongsTo(principal, tenant, server))
        {
            await SessionNotFoundAsync(context).ConfigureAwait(false);
            return;
        }

        if (!await opener.AdmitRequestAsync(context, principal, tenant, session.Target, "DELETE", null, session.Id).ConfigureAwait(false))
        {
            return;
        }

        await session.EndAsync("deleted by the client", "The session was ended by the client.").ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task InitializeAsync(HttpContext context, Ports.SmcpPrincipal principal, string tenant, string server, ClientBody body, JsonRpcMessage initialize, Activity? activity)
    {
        if (body.IsBatch)
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "initialize must not be part of a batch.", code: ErrorCodes.InvalidRequest).ConfigureAwait(false);
            return;
        }

        if (context.Request.Headers.ContainsKey(McpRequestReader.SessionHeader))
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "initialize starts a session: send it without Mcp-Session-Id.",
                initialize.Id, ErrorCodes.InvalidRequest).ConfigureAwait(false);
            return;
        }

        if (await opener.OpenAsync(context, principal, tenant, server, legacy: false, initialize.Id).ConfigureAwait(false) is not { } session)
        {
            return;
        }

        activity?.SetTag(TelemetryTags.Session, session.Id);
        using var scope = Log.SessionScope(_logger, tenant, server, session.Id);

        await SubmitAsync(context, session, body, sessionHeader: true).ConfigureAwait(false);
        if (session.ProtocolVersion is null)
        {
            // No successful initialize result reached the client (an error, or it went away): the sandbox is not kept for nobody.
            await session.EndAsync("initialize failed", "The session was not initialized.").ConfigureAwait(false);
        }
    }

    private async Task SubmitAsync(HttpContext context, McpSession session, ClientBody body, bool sessionHeader)
    {
        var outcome = await session.SubmitAsync(body.Messages).ConfigureAwait(false);
        switch (outcome.Status)
        {
            case SubmitStatus.Ended:
                await SessionNotFoundAsync(context).ConfigureAwait(false);
                return;
            case SubmitStatus.TooManyInFlight:
                await HttpErrors.TooManyAsync(context, TimeSpan.FromSeconds(1),
                    $"This session already has {_options.MaxInFlightRequestsPerSession} requests in flight.").ConfigureAwait(false);
                return;
            case SubmitStatus.BudgetFull:
                await HttpErrors.TooManyAsync(context, TimeSpan.FromSeconds(1), BudgetFullMessage).ConfigureAwait(false);
                return;
        }

        if (outcome.Exchange is not { } exchange)
        {
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        if (sessionHeader)
        {
            context.Response.Headers[McpRequestReader.SessionHeader] = session.Id;
        }

        try
        {
            await ExchangeResponder.RespondAsync(context, session, exchange, body.IsBatch, _options.SseRetry).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // A dropped connection is not a cancellation: the answer stays buffered for a GET with Last-Event-ID.
        }
    }

    private async Task ResumeAsync(HttpContext context, McpSession session, string lastEventId)
    {
        if (!EventStream.TryParseEventId(lastEventId, out var number, out var position) || session.FindStream(number) is not { } stream)
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status410Gone, "That event stream is no longer kept; events after it cannot be replayed.").ConfigureAwait(false);
            return;
        }

        if (number == 0)
        {
            // A reconnecting client may be ahead of the server noticing its old connection is gone: the new one takes over.
            await PumpGetStreamAsync(context, session, session.AttachGetReader(takeOver: true)!, position).ConfigureAwait(false);
            return;
        }

        var writer = new SseWriter(context.Response);
        try
        {
            await writer.StartAsync(stream, position, prime: false, _options.SseRetry, context.RequestAborted).ConfigureAwait(false);
            if (!await writer.PumpAsync(stream, context.RequestAborted).ConfigureAwait(false))
            {
                Log.ReplayGap(_logger, session.Id, number);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away again; it may resume once more.
        }
    }

    private async Task PumpGetStreamAsync(HttpContext context, McpSession session, CancellationTokenSource reader, long position)
    {
        var writer = new SseWriter(context.Response);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, reader.Token);
        try
        {
            await writer.StartAsync(session.GetStream, position, McpRequestReader.Primes(session.ProtocolVersion), _options.SseRetry, linked.Token).ConfigureAwait(false);
            if (!await writer.PumpAsync(session.GetStream, linked.Token).ConfigureAwait(false))
            {
                Log.ReplayGap(_logger, session.Id, 0);
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // The client went away, or a reconnection took this stream over.
        }
        finally
        {
            session.DetachGetReader(reader, writer.Position);
        }
    }

    internal const string BudgetFullMessage = "This session's buffers are full (Proxy:SessionReplayBudgetBytes, or its tenant's share); retry once its answers have been read.";

    private static Task SessionNotFoundAsync(HttpContext context) =>
        HttpErrors.WriteAsync(context, StatusCodes.Status404NotFound, "Session not found: it has ended or never existed. Initialize a new session.");

    private static Task UnsupportedVersionAsync(HttpContext context) =>
        HttpErrors.WriteAsync(context, StatusCodes.Status400BadRequest,
            $"Unsupported MCP-Protocol-Version '{context.Request.Headers[McpRequestReader.VersionHeader]}'; supported: 2024-11-05, 2025-03-26, 2025-06-18, 2025-11-25, and 2026-07-28 with its _meta envelope.",
            code: ErrorCodes.InvalidRequest);
}
