using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Smcp.Orchestrator.OAuth.Pages;

/// <summary>The sign-in attempts a client address may make: a token bucket per address, before any password is hashed.</summary>
/// <remarks>
/// The per-account lockout stops guessing one account; this stops one address from trying many accounts
/// and from spending the host's CPU on password hashes. An IPv6 client counts by its /64.
/// </remarks>
internal sealed class SignInLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress?> _limiter;
    private readonly int _buckets;

    public SignInLimiter(IOptions<OAuthPagesOptions> options)
    {
        var o = options.Value;
        _buckets = o.ClientBuckets;
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = o.SignInBurst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / o.SignInPerClientPerMinute,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        _limiter = PartitionedRateLimiter.Create<IPAddress?, int>(client => RateLimitPartition.GetTokenBucketLimiter(BucketOf(client), _ => bucket));
    }

    /// <summary>Null when the attempt may go ahead, else how long to wait.</summary>
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
