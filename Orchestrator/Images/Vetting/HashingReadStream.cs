using System.Security.Cryptography;

namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>A read-only forward stream that hashes every byte read through it and, when given a copy, writes each byte there too.</summary>
/// <remarks>The copy is how a layer is kept while it is vetted: the bytes on disk are exactly the bytes that were hashed.</remarks>
internal sealed class HashingReadStream(Stream inner, IncrementalHash hash, Stream? copy) : ForwardReadStream
{
    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        hash.AppendData(buffer[..read]);
        copy?.Write(buffer[..read]);
        BytesRead += read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        hash.AppendData(buffer.Span[..read]);
        if (copy is not null)
        {
            await copy.WriteAsync(buffer[..read], cancellationToken).ConfigureAwait(false);
        }

        BytesRead += read;
        return read;
    }
}
