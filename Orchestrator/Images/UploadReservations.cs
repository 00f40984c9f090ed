namespace Smcp.Orchestrator.Images;

/// <summary>The outcome of asking for room for one upload.</summary>
internal abstract record UploadReservation
{
    private UploadReservation()
    {
    }

    /// <summary>The tenant already has its <c>maxConcurrentUploads</c> in flight.</summary>
    public sealed record Busy(int InFlight) : UploadReservation;

    /// <summary>Stored images and uploads in flight leave no room under <c>totalImageBytes</c>.</summary>
    public sealed record NoRoom(long StoredBytes, long InFlightBytes) : UploadReservation;

    /// <summary>Room for up to <see cref="UploadLease.CapBytes"/>; dispose the lease when the upload is done.</summary>
    public sealed record Granted(UploadLease Lease) : UploadReservation;
}

/// <summary>
/// Per tenant, the uploads in flight and the bytes they hold: an upload reserves its whole cap while it is spooled, so two
/// at once cannot each fill the room left under <c>totalImageBytes</c>, then only its real size until it is stored.
/// </summary>
/// <remarks>In memory, for this process: the store's check under the tenant's quota lock stays the final word.</remarks>
internal sealed class UploadReservations
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (int Count, long Bytes)> _tenants = new(StringComparer.Ordinal);

    public UploadReservation TryReserve(string tenant, int maxConcurrent, long maxImageBytes, long totalImageBytes, long storedBytes)
    {
        lock (_lock)
        {
            var (count, bytes) = _tenants.GetValueOrDefault(tenant);
            if (count >= maxConcurrent)
            {
                return new UploadReservation.Busy(count);
            }

            var cap = Math.Min(maxImageBytes, totalImageBytes - storedBytes - bytes);
            if (cap <= 0)
            {
                return new UploadReservation.NoRoom(storedBytes, bytes);
            }

            _tenants[tenant] = (count + 1, bytes + cap);
            return new UploadReservation.Granted(new UploadLease(this, tenant, cap));
        }
    }

    internal void Change(string tenant, int count, long bytes)
    {
        lock (_lock)
        {
            var (held, reserved) = _tenants.GetValueOrDefault(tenant);
            if (held + count == 0)
            {
                _tenants.Remove(tenant);
            }
            else
            {
                _tenants[tenant] = (held + count, reserved + bytes);
            }
        }
    }
}
