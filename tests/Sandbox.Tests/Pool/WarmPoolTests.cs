using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Smcp.Sandbox.Pool;
using Smcp.Sandbox.Tests.Support;

namespace Smcp.Sandbox.Tests.Pool;

[TestFixture(SandboxRuntimes.Gvisor)]
[TestFixture(SandboxRuntimes.Runc)]
public sealed class WarmPoolTests(string runtime)
{
    private static SandboxSpec CatSpec(string tenant) => Probe.Spec("cat") with { Tenant = tenant, Server = "cat" };

    [Test]
    public async Task Acquire_hands_out_a_sandbox_that_was_already_running_and_the_pool_refills()
    {
        var docker = await TestDocker.ClientAsync();
        await using var pool = new WarmPool(await TestDocker.EngineAsync(runtime), NullLoggerFactory.Instance);
        var spec = CatSpec("pool-" + Guid.NewGuid().ToString("N")[..6]);
        var policy = new PoolPolicy(WarmSize: 1, TenantLimit: 4);

        pool.Warm(spec, policy);
        await pool.WhenIdleAsync(spec, CancellationToken.None);
        Assert.That(pool.ReadyCount(spec), Is.EqualTo(1));

        var acquiring = Stopwatch.StartNew();
        await using var sandbox = await pool.AcquireAsync(spec, policy, CancellationToken.None);
        var acquireTime = acquiring.Elapsed;
        var state = (await docker.Containers.InspectContainerAsync(sandbox.ContainerId)).State;

        Assert.That(state.Running, Is.True);
        Assert.That(DateTime.Parse(state.StartedAt, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime(),
            Is.LessThan(DateTime.UtcNow - acquireTime), "the container was started before acquire was called");
        await sandbox.SendAsync("{\"id\":1}"u8.ToArray(), CancellationToken.None);
        var echoed = await sandbox.Messages.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(Encoding.UTF8.GetString(echoed.Span), Is.EqualTo("{\"id\":1}"));

        await pool.WhenIdleAsync(spec, CancellationToken.None);
        Assert.That(pool.ReadyCount(spec), Is.EqualTo(1), "the pool refilled behind the acquire");
        Assert.That(pool.TenantCount(spec.Tenant), Is.EqualTo(2));
    }

    [Test]
    public async Task Warm_sandboxes_count_against_the_tenant_limit()
    {
        await using var pool = new WarmPool(await TestDocker.EngineAsync(runtime), NullLoggerFactory.Instance);
        var spec = CatSpec("limit-" + Guid.NewGuid().ToString("N")[..6]);
        var policy = new PoolPolicy(WarmSize: 3, TenantLimit: 2);

        pool.Warm(spec, policy);
        await pool.WhenIdleAsync(spec, CancellationToken.None);
        Assert.That(pool.ReadyCount(spec), Is.EqualTo(2), "the warm size is capped by the tenant's limit");

        await using var first = await pool.AcquireAsync(spec, policy, CancellationToken.None);
        await using var second = await pool.AcquireAsync(spec, policy, CancellationToken.None);
        Assert.That(
            async () => await pool.AcquireAsync(spec, policy, CancellationToken.None),
            Throws.InstanceOf<SandboxException>().With.Property(nameof(SandboxException.Error)).EqualTo(SandboxError.TenantLimitReached));

        await first.DisposeAsync();
        Assert.That(pool.TenantCount(spec.Tenant), Is.EqualTo(1), "an ended sandbox stops counting");
        await using var third = await pool.AcquireAsync(spec, policy, CancellationToken.None);
    }

    [Test]
    public async Task At_the_tenant_limit_acquire_waits_for_the_warm_sandbox_still_starting()
    {
        await using var pool = new WarmPool(await TestDocker.EngineAsync(runtime), NullLoggerFactory.Instance);
        var spec = CatSpec("wait-" + Guid.NewGuid().ToString("N")[..6]);
        var policy = new PoolPolicy(WarmSize: 1, TenantLimit: 1);

        pool.Warm(spec, policy);
        await using var sandbox = await pool.AcquireAsync(spec, policy, CancellationToken.None);

        Assert.That(sandbox.Exited.IsCompleted, Is.False);
        Assert.That(pool.TenantCount(spec.Tenant), Is.EqualTo(1), "the one slot went to the warm sandbox, which was handed out");
    }

    [Test]
    public async Task A_warm_sandbox_that_died_while_waiting_is_not_handed_out()
    {
        await using var pool = new WarmPool(await TestDocker.EngineAsync(runtime), NullLoggerFactory.Instance);
        var spec = Probe.Spec("exit", "7") with { Tenant = "dead-" + Guid.NewGuid().ToString("N")[..6], Server = "dead" };
        var policy = new PoolPolicy(WarmSize: 1, TenantLimit: 4);

        pool.Warm(spec, policy);
        await pool.WhenIdleAsync(spec, CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await using var sandbox = await pool.AcquireAsync(spec, policy, CancellationToken.None);

        // The exited one was thrown away; this one is a fresh cold start that will also exit with 7.
        var exit = await sandbox.Exited.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(exit.ExitCode, Is.EqualTo(7));
    }
}
