using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Options;
using Smcp.Proxy.Limits;

namespace Smcp.Proxy.Tests.Limits;

/// <summary>The pre-authentication budget: per client, global, and bounded in the clients it keeps.</summary>
public sealed class PreAuthLimiterTests
{
    private static PreAuthLimiter Limiter(int perClient, int global, int buckets = 1 << 20) => new(Options.Create(new ProxyOptions
    {
        PreAuthPerClientPerSecond = perClient,
        PreAuthPerClientBurst = perClient,
        PreAuthGlobalPerSecond = global,
        PreAuthGlobalBurst = global,
        PreAuthClientBuckets = buckets,
    }));

    private static IPAddress RandomV4() => new(Random.Shared.NextInt64(1, uint.MaxValue));

    [Test]
    public void A_client_past_its_burst_is_refused_with_a_wait_and_another_client_is_not()
    {
        using var limiter = Limiter(perClient: 5, global: 1000);
        var client = IPAddress.Parse("192.0.2.1");

        var granted = Enumerable.Range(0, 10).Count(_ => limiter.TryAcquire(client) is null);

        Assert.That(granted, Is.EqualTo(5));
        Assert.That(limiter.TryAcquire(client), Is.GreaterThan(TimeSpan.Zero));
        Assert.That(limiter.TryAcquire(IPAddress.Parse("192.0.2.2")), Is.Null);
    }

    [Test]
    public void Many_addresses_together_get_no_more_than_the_global_budget()
    {
        using var limiter = Limiter(perClient: 1000, global: 50);
        var clock = Stopwatch.StartNew();

        var granted = Enumerable.Range(0, 20_000).Count(_ => limiter.TryAcquire(RandomV4()) is null);

        var budget = 50 + (int)Math.Ceiling(50 * (clock.Elapsed.TotalSeconds + 1));
        Assert.That(granted, Is.InRange(50, budget));
    }

    [Test]
    public void An_IPv6_client_counts_by_its_64_prefix()
    {
        using var limiter = Limiter(perClient: 3, global: 1000);

        var granted = Enumerable.Range(1, 6).Count(i => limiter.TryAcquire(IPAddress.Parse($"2001:db8:1:2::{i:x}")) is null);

        Assert.That(granted, Is.EqualTo(3));
        Assert.That(limiter.TryAcquire(IPAddress.Parse("2001:db8:1:3::1")), Is.Null);
    }

    [Test]
    public void A_burst_below_its_rate_or_no_buckets_is_refused_at_start_with_the_setting_named()
    {
        var result = new ProxyOptionsValidator().Validate(null, new ProxyOptions { PreAuthGlobalPerSecond = 500, PreAuthClientBuckets = 0 });

        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain("PreAuthGlobalBurst").And.Contain("PreAuthClientBuckets"));
        Assert.That(new ProxyOptionsValidator().Validate(null, new ProxyOptions()).Succeeded, Is.True, "the defaults are valid");
    }

    [Test]
    public void Clients_share_the_configured_number_of_buckets_so_random_addresses_cannot_grow_the_limiter()
    {
        using var limiter = Limiter(perClient: 4, global: 100_000, buckets: 1);

        var granted = Enumerable.Range(0, 100).Count(_ => limiter.TryAcquire(RandomV4()) is null);

        Assert.That(granted, Is.EqualTo(4));
    }
}
