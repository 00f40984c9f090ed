using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Smcp.Proxy.Limits;

/// <summary>
/// The budget of credential lookups that could reach the database, taken before the caller is known: a
/// token bucket per client address, then one for the whole process. A known-good credential (one the
/// validator remembers) never pays, so the budget only limits guessing and first uses of a key.
/// </summary>
/// <remarks>
/// Clients are hashed (with this process's random seed) onto <see cref="ProxyOptions.PreAuthClientBuckets"/>
/// buckets, so random source addresses cannot grow the limiter's partitions without bound; an IPv6 client
/// counts by its /64, which one host usually holds whole. The per-client bucket is asked first, so a
/// client over its own budget does not spend the global one.
/// </remarks>
public sealed class PreAuthLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress?> _limiter;
    private readonly int _buckets;

    public PreAuthLimiter(IOptions<ProxyOptions> options)
    {
        var o = options.Value;
        _buckets = o.PreAuthClientBuckets;
        var perClient = Bucket(o.PreAuthPerClientPerSecond, o.PreAuthPerClientBurst);
        var global = Bucket(o.PreAuthGlobalPerSecond, o.PreAuthGlobalBurst);
        _limiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<IPAddress?, int>(client => RateLimitPartition.GetTokenBucketLimiter(BucketOf(client), _ => perClient)),
            PartitionedRateLimiter.Create<IPAddress?, int>(_ => RateLimitPartition.GetTokenBucketLimiter(0, _ => global)));
    }

    /// <summary>Null when the lookup may go ahead, else how long to wait.</summary>
    public TimeSpan? TryAcquire(IPAddress? client)
    {
        using var lease = _limiter.AttemptAcquire(client);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) && retryAfter > TimeSpan.Zero ? retryAfter : TimeSpan.FromSeconds(1);
    }

    public void Dispose() => _limiter.Dispose();

    private static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private int BucketOf(IPAddress? client)
    {
        var address = client is null ? IPAddress.None : client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client;
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        var key = address.AddressFamily == AddressFamily.InterNetworkV6 ? bytes[..8] : bytes[..written];
        var hash = new HashCode();
        hash.AddBytes(key);
        return (int)((uint)hash.ToHashCode() % (uint)_buckets);
    }
}
