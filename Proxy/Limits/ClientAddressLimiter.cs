using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;

namespace Smcp.Proxy.Limits;

/// <summary>A token bucket: <paramref name="TokensPerPeriod"/> back every <paramref name="Period"/>, at most <paramref name="Burst"/> held.</summary>
public sealed record AddressBudget(int TokensPerPeriod, TimeSpan Period, int Burst);

/// <summary>
/// A budget per client address, and optionally one for every address together, for work done before the caller
/// is known (credential lookups, sign-ins, registrations).
/// </summary>
/// <remarks>
/// Clients are hashed (with this process's random seed) onto a fixed number of buckets, so random source addresses
/// cannot grow the limiter's partitions without bound; an IPv6 client counts by its /64, which one host usually holds
/// whole. The per-client bucket is asked first, so a client over its own budget does not spend the shared one.
/// </remarks>
public class ClientAddressLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress?> _limiter;
    private readonly int _buckets;

    public ClientAddressLimiter(AddressBudget perClient, AddressBudget? everyone, int clientBuckets)
    {
        _buckets = clientBuckets;
        var clientBucket = Bucket(perClient);
        var perAddress = PartitionedRateLimiter.Create<IPAddress?, int>(client => RateLimitPartition.GetTokenBucketLimiter(BucketOf(client), _ => clientBucket));
        if (everyone is null)
        {
            _limiter = perAddress;
            return;
        }

        var sharedBucket = Bucket(everyone);
        _limiter = PartitionedRateLimiter.CreateChained(
            perAddress,
            PartitionedRateLimiter.Create<IPAddress?, int>(_ => RateLimitPartition.GetTokenBucketLimiter(0, _ => sharedBucket)));
    }

    /// <summary>Null when the work may go ahead, else how long to wait.</summary>
    public TimeSpan? TryAcquire(IPAddress? client)
    {
        using var lease = _limiter.AttemptAcquire(client);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) && retryAfter > TimeSpan.Zero ? retryAfter : TimeSpan.FromSeconds(1);
    }

    public void Dispose()
    {
        _limiter.Dispose();
        GC.SuppressFinalize(this);
    }

    private static TokenBucketRateLimiterOptions Bucket(AddressBudget budget) => new()
    {
        TokenLimit = budget.Burst,
        TokensPerPeriod = budget.TokensPerPeriod,
        ReplenishmentPeriod = budget.Period,
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
