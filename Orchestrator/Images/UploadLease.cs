namespace Smcp.Orchestrator.Images;

/// <summary>One upload's place and bytes; released once on dispose.</summary>
internal sealed class UploadLease(UploadReservations owner, string tenant, long capBytes) : IDisposable
{
    private long _held = capBytes;
    private bool _released;

    public long CapBytes { get; } = capBytes;

    /// <summary>Holds only <paramref name="bytes"/> from now on (the upload's real size, once it is spooled).</summary>
    public void ShrinkTo(long bytes)
    {
        if (!_released && bytes < _held)
        {
            owner.Change(tenant, 0, bytes - _held);
            _held = bytes;
        }
    }

    public void Dispose()
    {
        if (!_released)
        {
            _released = true;
            owner.Change(tenant, -1, -_held);
        }
    }
}
