namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>A read-only forward stream that counts what passes and throws once more than a cap has been read.</summary>
/// <remarks>
/// Throwing is the only way to stop a <see cref="System.Formats.Tar.TarReader"/> or a GZipStream in the middle of a
/// read; <see cref="ImageVetter"/> turns the exception into a too-large finding. At most one byte past the cap is read.
/// </remarks>
internal sealed class CappedReadStream(Stream inner, long cap, string overCapMessage) : ForwardReadStream
{
    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer[..Allowed(buffer.Length)]));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer[..Allowed(buffer.Length)], cancellationToken).ConfigureAwait(false));

    private int Allowed(int requested) => (int)Math.Min(requested, cap - BytesRead + 1);

    private int Count(int read)
    {
        BytesRead += read;
        if (BytesRead > cap)
        {
            throw new VettingLimitException(overCapMessage);
        }

        return read;
    }
}

/// <summary>A vetting limit was crossed while reading; the message says which.</summary>
internal sealed class VettingLimitException(string message) : Exception(message);

/// <summary>An entry of the outer tarball that no <c>docker save</c> writes; the finding names it.</summary>
internal sealed class UnsafeArchiveEntryException(string code, string path, string message) : Exception(message)
{
    public string Code { get; } = code;

    public string Path { get; } = path;
}
