using Microsoft.AspNetCore.Http;
using Smcp.Proxy.Json;
using Smcp.Proxy.Sessions;

namespace Smcp.Proxy.Http;

/// <summary>
/// Answers a POST that carried requests: plain JSON when the answers are all that come, an SSE stream
/// as soon as the server sends a request or notification before the last answer.
/// </summary>
internal static class ExchangeResponder
{
    public static async Task RespondAsync(HttpContext context, McpSession session, Exchange exchange, bool batch, TimeSpan retry)
    {
        var cancellationToken = context.RequestAborted;
        var stream = exchange.Stream;
        var answers = new List<StreamEvent>();
        long position = 0;
        while (true)
        {
            var read = await stream.ReadAfterAsync(position, cancellationToken).ConfigureAwait(false);
            if (read.Events.Any(e => !e.IsResponse) || read.Gap)
            {
                break;
            }

            answers.AddRange(read.Events);
            position = read.Events.Count > 0 ? read.Events[^1].Sequence : position;
            if (read.Completed)
            {
                await WriteJsonAsync(context, answers, batch, session, cancellationToken).ConfigureAwait(false);
                stream.MarkDelivered(position);
                return;
            }
        }

        var writer = new SseWriter(context.Response);
        await writer.StartAsync(stream, 0, McpRequestReader.Primes(session.ProtocolVersion), retry, cancellationToken).ConfigureAwait(false);
        await writer.PumpAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteJsonAsync(HttpContext context, List<StreamEvent> answers, bool batch, McpSession session, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        if (!batch)
        {
            var answer = answers[0].Data;
            if (session.IsStateless)
            {
                // 2026-07-28 gives a JSON-RPC error an HTTP status of its own (method not found 404, invalid params 400, …).
                response.StatusCode = StatelessEnvelope.StatusFor(answer);
            }

            if (session.ProtocolVersion is null && response.Headers.ContainsKey(McpRequestReader.SessionHeader) && IsError(answer))
            {
                // A failed initialize opens no session.
                response.Headers.Remove(McpRequestReader.SessionHeader);
                await session.EndAsync("initialize failed", "The session was not initialized.").ConfigureAwait(false);
            }

            // A known length spares the chunked framing and its closing write.
            response.ContentLength = answer.Length;
            await response.Body.WriteAsync(answer, cancellationToken).ConfigureAwait(false);
            return;
        }

        await response.Body.WriteAsync("["u8.ToArray(), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < answers.Count; i++)
        {
            if (i > 0)
            {
                await response.Body.WriteAsync(","u8.ToArray(), cancellationToken).ConfigureAwait(false);
            }

            await response.Body.WriteAsync(answers[i].Data, cancellationToken).ConfigureAwait(false);
        }

        await response.Body.WriteAsync("]"u8.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    private static bool IsError(ReadOnlyMemory<byte> answer) => JsonRpcMessage.FromServerLine(answer) is { IsError: true };
}
