using Smcp.Proxy.Limits;

namespace Smcp.Proxy.Tests.Limits;

public sealed class SessionStartLimiterTests
{
    [Test]
    public void A_tenant_may_start_its_whole_minutes_budget_at_once_and_then_waits_for_one_start_to_come_back()
    {
        using var limiter = new SessionStartLimiter();

        var granted = Enumerable.Range(0, 3).Select(_ => limiter.TryAcquire("acme", 3)).ToList();
        var refused = limiter.TryAcquire("acme", 3);

        Assert.That(granted, Is.All.Null);
        Assert.That(refused, Is.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(TimeSpan.FromSeconds(20)), "one start comes back every 20 s at 3 per minute");
    }

    [Test]
    public void One_tenants_starts_do_not_spend_another_tenants_budget()
    {
        using var limiter = new SessionStartLimiter();
        limiter.TryAcquire("acme", 1);

        Assert.That(limiter.TryAcquire("acme", 1), Is.Not.Null);
        Assert.That(limiter.TryAcquire("beta", 1), Is.Null);
    }

    [Test]
    public void A_changed_quota_starts_a_fresh_budget_and_zero_means_no_limit()
    {
        using var limiter = new SessionStartLimiter();
        limiter.TryAcquire("acme", 1);

        Assert.That(limiter.TryAcquire("acme", 2), Is.Null);
        Assert.That(Enumerable.Range(0, 1000).Select(_ => limiter.TryAcquire("acme", 0)), Is.All.Null);
    }
}
