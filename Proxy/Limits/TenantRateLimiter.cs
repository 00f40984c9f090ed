using System.Threading.RateLimiting;

namespace Smcp.Proxy.Limits;

/// <summary>MCP requests per minute, partitioned by tenant; a changed quota starts a fresh partition.</summary>
internal sealed class TenantRateLimiter : IDisposable
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
    public TimeSpan? TryAcquire(string tenant, int perMinute)
    {
        if (perMinute <= 0)
        {
            return null;
        }

        using var lease = _limiter.AttemptAcquire((tenant, perMinute));
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
    }

    public void Dispose() => _limiter.Dispose();
}
