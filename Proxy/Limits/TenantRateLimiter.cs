using System.Threading.RateLimiting;

namespace Smcp.Proxy.Limits;

/// <summary>
/// A tenant's requests per minute, MCP and API together, partitioned by the tenant of the
/// credential (checked after authentication, so no one can spend another tenant's budget); a
/// changed quota starts a fresh partition.
/// </summary>
public sealed class TenantRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<(string Tenant, int PerMinute)> _limiter =
        PartitionedRateLimiter.Create<(string Tenant, int PerMinute), (string Tenant, int PerMinute)>(key =>
            RateLimitPartition.GetFixedWindowLimiter(key, k => new FixedWindowRateLimiterOptions
            {
                PermitLimit = k.PerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));

    /// <summary>Null when the request may go ahead, else how long to wait. A quota of 0 or less means no limit.</summary>
    /// <param name="tenant">The credential's tenant.</param>
    /// <param name="perMinute">The tenant's quota.</param>
    /// <param name="messages">How many messages the request carries: each one counts (a batch larger than the quota takes all of it).</param>
    public TimeSpan? TryAcquire(string tenant, int perMinute, int messages = 1)
    {
        if (perMinute <= 0)
        {
            return null;
        }

        using var lease = _limiter.AttemptAcquire((tenant, perMinute), Math.Clamp(messages, 1, perMinute));
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
    }

    public void Dispose() => _limiter.Dispose();
}
