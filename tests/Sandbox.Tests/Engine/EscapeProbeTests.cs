using System.Diagnostics;
using Smcp.Sandbox.Tests.Support;

namespace Smcp.Sandbox.Tests.Engine;

/// <summary>Attacks from inside a sandbox; every one must fail, under both runtimes.</summary>
[TestFixture(SandboxRuntimes.Gvisor)]
[TestFixture(SandboxRuntimes.Runc)]
public sealed class EscapeProbeTests(string runtime)
{
    private ISandboxEngine _engine = null!;

    [OneTimeSetUp]
    public async Task Connect() => _engine = await TestDocker.EngineAsync(runtime);

    [Test]
    public async Task Only_loopback_is_there()
    {
        var result = await Probe.ResultAsync(_engine, "netifs");
        var interfaces = result["ifaces"]!.GetValue<string>().Split(',', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(interfaces, Is.EqualTo(new[] { "lo" }));
    }

    [TestCase("writeroot")]
    [TestCase("mount")]
    [TestCase("rawsock")]
    [TestCase("ptrace")]
    public async Task The_attack_is_blocked(string attack)
    {
        var result = await Probe.ResultAsync(_engine, attack);
        Assert.That(result["blocked"]!.GetValue<bool>(), Is.True, result.ToJsonString());
    }

    [Test]
    public async Task A_setuid_root_binary_does_not_gain_root()
    {
        var spec = Probe.Spec("setuid") with { Entrypoint = ["/probe-suid"] };
        var (result, exit, stderr) = await Probe.RunAsync(_engine, spec);
        Assert.That(result, Is.Not.Null, $"exit {exit}, stderr {stderr}");
        Assert.That(result!["euid"]!.GetValue<int>(), Is.EqualTo(65534));
        Assert.That(result["uid"]!.GetValue<int>(), Is.EqualTo(65534));
    }

    [Test]
    public async Task A_fork_bomb_stops_at_the_pids_limit_and_the_host_is_unaffected()
    {
        var pids = runtime == SandboxRuntimes.Gvisor ? 512 : 64;
        var (result, exit, stderr) = await Probe.RunAsync(_engine, Probe.Spec("forkbomb", "100000"));

        Assert.That(result, Is.Not.Null, $"exit {exit}, stderr {stderr}");
        Assert.That(result!["blocked"]!.GetValue<bool>(), Is.True, result.ToJsonString());
        Assert.That(result["forked"]!.GetValue<int>(), Is.LessThan(pids), result.ToJsonString());
        using var host = Process.Start(new ProcessStartInfo("true"))!;
        await host.WaitForExitAsync();
        Assert.That(host.ExitCode, Is.Zero, "the host can still start processes");
    }

    [Test]
    public async Task A_memory_bomb_is_killed_and_reported_as_out_of_memory()
    {
        var spec = Probe.Spec("membomb") with { Limits = new SandboxLimits { MemoryBytes = 96L * 1024 * 1024 } };
        var (_, exit, stderr) = await Probe.RunAsync(_engine, spec);

        Assert.That(exit.Reason, Is.EqualTo(SandboxExitReason.OutOfMemory), $"{exit}; stderr: {stderr}");
        Assert.That(exit.OomKilled, Is.True);
        Assert.That(exit.Describe(), Does.Contain("memory limit"));
    }

    [Test]
    public async Task Tmp_cannot_be_filled_beyond_its_cap()
    {
        var spec = Probe.Spec("filltmp") with { Limits = new SandboxLimits { TmpfsBytes = 8L * 1024 * 1024 } };
        var (result, exit, stderr) = await Probe.RunAsync(_engine, spec);

        Assert.That(result, Is.Not.Null, $"exit {exit}, stderr {stderr}");
        Assert.That(result!["bytes"]!.GetValue<long>(), Is.LessThanOrEqualTo(8L * 1024 * 1024));
        Assert.That(result["blocked"]!.GetValue<bool>(), Is.True);
    }

    [Test]
    public async Task The_kernel_inside_is_the_runtimes_own()
    {
        var result = await Probe.ResultAsync(_engine, "uname");
        var hostRelease = (await File.ReadAllTextAsync("/proc/sys/kernel/osrelease")).Trim();
        var release = result["release"]!.GetValue<string>();

        if (runtime == SandboxRuntimes.Gvisor)
        {
            // gVisor reports its own fixed kernel, never the host's.
            Assert.That(release, Is.Not.EqualTo(hostRelease));
            Assert.That(result["version"]!.GetValue<string>(), Is.EqualTo("#1 SMP Sun Jan 10 15:06:54 PST 2016"));
        }
        else
        {
            Assert.That(release, Is.EqualTo(hostRelease));
        }
    }
}
