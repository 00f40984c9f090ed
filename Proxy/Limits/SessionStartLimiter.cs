using System.Threading.RateLimiting;

namespace Smcp.Proxy.Limits;

/// <summary>
/// A tenant's sandbox starts per minute (its <c>sessionStartsPerMinute</c>): each initialize that starts or
/// takes a sandbox costs one, on top of the request it also is. A token bucket per tenant: a burst of the
/// whole minute's budget, then one start back every minute / budget; a changed quota starts a fresh bucket.
/// </summary>
public sealed class SessionStartLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<(string Tenant, int PerMinute)> _limiter =
        PartitionedRateLimiter.Create<(string Tenant, int PerMinute), (string Tenant, int PerMinute)>(key =>
            RateLimitPartition.GetTokenBucketLimiter(key, k =>
            {
                // Over 6000 a minute several come back at once, so the refill never ticks more often than every 10 ms.
                var perPeriod = (int)Math.Ceiling(k.PerMinute / 6000.0);
                return new TokenBucketRateLimiterOptions
                {
                    TokenLimit = k.PerMinute,
                    TokensPerPeriod = perPeriod,
                    ReplenishmentPeriod = TimeSpan.FromMinutes(1) * perPeriod / k.PerMinute,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                };
            }));

    /// <summary>Null when the start may go ahead, else how long until the next one may. A quota of 0 or less means no limit.</summary>
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

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1) / perMinute;
    }

    public void Dispose() => _limiter.Dispose();
}
