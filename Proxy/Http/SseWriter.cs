using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Smcp.Proxy.Sessions;

namespace Smcp.Proxy.Http;

/// <summary>Writes an SSE response: unbuffered, flushed after every event, every event with an id.</summary>
internal sealed class SseWriter(HttpResponse response)
{
    private static readonly byte[] IdPrefix = "id: "u8.ToArray();
    private static readonly byte[] DataPrefix = "\nevent: message\ndata: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();

    /// <summary>The sequence of the last event written.</summary>
    public long Position { get; private set; }

    /// <summary>Sends the headers; from 2025-11-25 on, also a priming event (an id, empty data) and the retry interval.</summary>
    public async Task StartAsync(EventStream stream, long position, bool prime, TimeSpan retry, CancellationToken cancellationToken)
    {
        Position = position;
        response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-transform";
        response.Headers["X-Accel-Buffering"] = "no";
        if (prime)
        {
            var priming = string.Create(CultureInfo.InvariantCulture, $"id: {stream.EventId(position)}\nretry: {(long)retry.TotalMilliseconds}\ndata: \n\n");
            await response.Body.WriteAsync(Encoding.UTF8.GetBytes(priming), cancellationToken).ConfigureAwait(false);
        }

        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task WriteAsync(EventStream stream, StreamEvent streamEvent, CancellationToken cancellationToken)
    {
        var body = response.Body;
        await body.WriteAsync(IdPrefix, cancellationToken).ConfigureAwait(false);
        await body.WriteAsync(Encoding.ASCII.GetBytes(stream.EventId(streamEvent.Sequence)), cancellationToken).ConfigureAwait(false);
        await body.WriteAsync(DataPrefix, cancellationToken).ConfigureAwait(false);
        await body.WriteAsync(streamEvent.Data, cancellationToken).ConfigureAwait(false);
        await body.WriteAsync(EventEnd, cancellationToken).ConfigureAwait(false);
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
        Position = streamEvent.Sequence;
        stream.MarkDelivered(Position);
    }

    /// <summary>Writes the legacy transport's first event, which names where to POST.</summary>
    public async Task WriteEndpointAsync(string endpoint, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes($"event: endpoint\ndata: {endpoint}\n\n"), cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Streams events after <see cref="Position"/> until the stream ends, going on past events lost from the buffer; false when some were.</summary>
    public async Task<bool> PumpAsync(EventStream stream, CancellationToken cancellationToken)
    {
        var complete = true;
        while (true)
        {
            var read = await stream.ReadAfterAsync(Position, cancellationToken).ConfigureAwait(false);
            complete &= !read.Gap;
            foreach (var streamEvent in read.Events)
            {
                await WriteAsync(stream, streamEvent, cancellationToken).ConfigureAwait(false);
            }

            if (read.Completed && read.Events.Count == 0)
            {
                return complete;
            }
        }
    }
}
