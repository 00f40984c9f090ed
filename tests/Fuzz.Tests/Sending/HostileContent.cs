using System.Net;

namespace Smcp.Fuzz.Tests.Sending;

/// <summary>A generated body as sent: its bytes, filler up to an oversize length (written, never held), in slow pieces when asked.</summary>
/// <remarks>
/// An oversize body of an odd length goes out chunked, without Content-Length, so both refusals are fuzzed: the one
/// on the declared length, before anything is read, and the one while reading.
/// </remarks>
internal sealed class HostileContent(byte[] body, int padTo, int slowChunks, TimeSpan slowDelay) : HttpContent
{
    private static readonly byte[] Filler = CreateFiller();

    private long Length => Math.Max(body.Length, padTo);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        await SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (slowChunks > 0)
        {
            var piece = Math.Max(1, body.Length / slowChunks);
            for (var offset = 0; offset < body.Length; offset += piece)
            {
                await stream.WriteAsync(body.AsMemory(offset, Math.Min(piece, body.Length - offset)), cancellationToken);
                await stream.FlushAsync(cancellationToken);
                await Task.Delay(slowDelay, cancellationToken);
            }
        }
        else
        {
            await stream.WriteAsync(body, cancellationToken);
        }

        for (var left = Length - body.Length; left > 0; left -= Filler.Length)
        {
            await stream.WriteAsync(Filler.AsMemory(0, (int)Math.Min(left, Filler.Length)), cancellationToken);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = Length;
        return padTo == 0 || padTo % 2 == 0;
    }

    private static byte[] CreateFiller()
    {
        var filler = new byte[64 * 1024];
        Array.Fill(filler, (byte)'a');
        return filler;
    }
}
