namespace Smcp.Proxy.Tests;

public sealed class ProxyOptionsTests
{
    [Test]
    public void The_default_byte_bounds_nest_share_session_tenant_proxy()
    {
        var defaults = new ProxyOptions();

        Assert.That(new ProxyOptionsValidator().Validate(null, defaults).Succeeded, Is.True);
        Assert.That((defaults.ReplayBufferBytes, defaults.SessionReplayBudgetBytes, defaults.TenantReplayBudgetBytes, defaults.ReplayBudgetBytes),
            Is.EqualTo((4L << 20, 16L << 20, 64L << 20, 256L << 20)), "the defaults README names");
    }

    [Test]
    public void Byte_bounds_that_do_not_nest_are_refused_with_what_to_change()
    {
        var options = new ProxyOptions { ReplayBufferBytes = 8 << 20, SessionReplayBudgetBytes = 12 << 20, TenantReplayBudgetBytes = 8 << 20, ReplayBudgetBytes = 4 << 20 };

        var result = new ProxyOptionsValidator().Validate(null, options);

        Assert.That(result.Failures, Is.EqualTo(new[]
        {
            "Proxy:SessionReplayBudgetBytes must be at least twice Proxy:ReplayBufferBytes, so one stream cannot fill its session.",
            "Proxy:TenantReplayBudgetBytes must be at least Proxy:SessionReplayBudgetBytes.",
            "Proxy:ReplayBudgetBytes must be at least Proxy:TenantReplayBudgetBytes.",
        }));
    }

    [Test]
    public void A_negative_tool_scan_cache_is_refused_and_the_default_is_the_one_readme_names()
    {
        var result = new ProxyOptionsValidator().Validate(null, new ProxyOptions { ToolScanCacheBytes = -1 });

        Assert.That(result.Failures, Is.EqualTo(new[] { "Proxy:ToolScanCacheBytes must be 0 (keep no verdicts) or more." }));
        Assert.That(new ProxyOptions().ToolScanCacheBytes, Is.EqualTo(8L << 20));
    }

    [Test]
    public void Server_log_bounds_default_to_what_README_names_and_refuse_nonsense()
    {
        var defaults = new ProxyOptions();
        Assert.That((defaults.EndedSessionLogsPerServer, defaults.TenantEndedLogBytes, defaults.LogResponseBytes), Is.EqualTo((16, 4L << 20, 1L << 20)));

        var result = new ProxyOptionsValidator().Validate(null, new ProxyOptions { EndedSessionLogsPerServer = -1, LogResponseBytes = 10 });

        Assert.That(result.Failures, Is.EqualTo(new[]
        {
            "Proxy:EndedSessionLogsPerServer and TenantEndedLogBytes must be 0 (keep no ended session's log) or more, LogResponseBytes at least 1024.",
        }));
    }
}
