using Microsoft.Extensions.Logging.Abstractions;
using Smcp.Sandbox.Pool;
using Smcp.Sandbox.Tests.Support;

namespace Smcp.Sandbox.Tests.Pool;

/// <summary>A warm sandbox holds only the small warm buffer; handed to a session it takes the session's bound.</summary>
[TestFixture(SandboxRuntimes.Gvisor)]
[TestFixture(SandboxRuntimes.Runc)]
public sealed class WarmPoolStdoutTests(string runtime)
{
    [Test]
    public async Task A_warm_sandbox_is_held_to_the_warm_bound_until_the_pool_hands_it_out()
    {
        // 1 MiB lines do not fit the 256 KiB warm bound: the warm sandbox's reader waits; the flood timeout is long enough not to end it.
        var engine = await TestDocker.EngineAsync(runtime, o => o.StdoutFloodTimeout = TimeSpan.FromSeconds(120));
        await using var pool = new WarmPool(engine, NullLoggerFactory.Instance);
        var spec = TestDocker.Spec(TestDocker.Hostile, "flood-idle", "line-bytes", "1048576") with { Tenant = "stdout-" + Guid.NewGuid().ToString("N")[..6] };
        var policy = new PoolPolicy(WarmSize: 1, TenantLimit: 2);

        pool.Warm(spec, policy);
        await pool.WhenIdleAsync(spec, CancellationToken.None);
        // Time for the server to start and write its first line while warm.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await using var sandbox = await pool.AcquireAsync(spec, policy, CancellationToken.None);
        await pool.DrainAsync(spec.Tenant, null);

        for (var i = 0; i < 3; i++)
        {
            var line = await sandbox.Messages.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(line.Length, Is.EqualTo(1024 * 1024));
        }

        Assert.That(sandbox.Exited.IsCompleted, Is.False);
    }
}
