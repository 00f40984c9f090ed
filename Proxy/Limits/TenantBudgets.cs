using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Limits;

/// <summary>
/// A tenant's per-minute budgets (requests, MCP and API together; session starts), wherever they are counted: in this
/// process alone, or in the windows every replica shares when the host has them (Postgres), so that N replicas grant
/// one budget and not N.
/// </summary>
/// <remarks>
/// Shared, both budgets are fixed windows of one minute of the database's clock, and each check is one round trip.
/// In one process, requests are a fixed window and starts a token bucket, in memory.
/// </remarks>
public sealed class TenantBudgets(TenantRateLimiter requests, SessionStartLimiter starts, IEnumerable<ISharedRateWindows> shared)
{
    public const string RequestsKind = "requests";
    public const string StartsKind = "starts";

    private readonly ISharedRateWindows? _shared = shared.LastOrDefault();

    /// <summary>Null when the request (of <paramref name="messages"/> messages, each counted) may go ahead, else how long to wait; 0 or less is no limit.</summary>
    public async ValueTask<TimeSpan?> TryRequestsAsync(string tenant, int perMinute, int messages, CancellationToken cancellationToken)
    {
        if (_shared is null || perMinute <= 0)
        {
            return requests.TryAcquire(tenant, perMinute, messages);
        }

        // As in one process, a batch larger than the quota takes all of it rather than never passing.
        var check = await _shared.TryTakeAsync(tenant, RequestsKind, perMinute, Math.Clamp(messages, 1, perMinute), cancellationToken).ConfigureAwait(false);
        return check.Admitted ? null : check.RetryAfter;
    }

    /// <summary>Null when a session may start, else how long to wait; 0 or less is no limit.</summary>
    public async ValueTask<TimeSpan?> TryStartAsync(string tenant, int perMinute, CancellationToken cancellationToken)
    {
        if (_shared is null || perMinute <= 0)
        {
            return starts.TryAcquire(tenant, perMinute);
        }

        var check = await _shared.TryTakeAsync(tenant, StartsKind, perMinute, 1, cancellationToken).ConfigureAwait(false);
        return check.Admitted ? null : check.RetryAfter;
    }
}
