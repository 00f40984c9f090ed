using System.Net;

namespace Smcp.Orchestrator.Cli;

/// <summary>A request body streamed from <paramref name="source"/> (never held whole), of <paramref name="declaredLength"/> bytes when known, telling <paramref name="progress"/> the bytes sent so far.</summary>
internal sealed class ProgressContent(Stream source, long? declaredLength, Action<long> progress) : HttpContent
{
    private const int ChunkBytes = 81920;

    private readonly long? _length = declaredLength;

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var buffer = new byte[ChunkBytes];
        long sent = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            sent += read;
            progress(sent);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = _length ?? -1;
        return _length is not null;
    }
}
