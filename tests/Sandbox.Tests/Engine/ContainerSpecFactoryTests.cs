using Smcp.Sandbox.Engine;
using Smcp.Sandbox.Tests.Support;

namespace Smcp.Sandbox.Tests.Engine;

public sealed class ContainerSpecFactoryTests
{
    private static readonly SandboxSpec Spec = new() { Image = "sha256:abc", Tenant = "acme", Server = "notes" };

    [Test]
    public void Defaults_are_the_hardened_policy_under_gvisor()
    {
        var create = ContainerSpecFactory.Create(Spec, new SandboxOptions { InstanceId = "i1" }, "sid", imageUser: null);
        var host = create.HostConfig;

        Assert.That(host.Runtime, Is.EqualTo("runsc"));
        Assert.That(host.NetworkMode, Is.EqualTo("none"));
        Assert.That(create.NetworkDisabled, Is.True);
        Assert.That(host.ReadonlyRootfs, Is.True);
        Assert.That(host.CapDrop, Is.EqualTo(new[] { "ALL" }));
        Assert.That(host.CapAdd, Is.Null.Or.Empty);
        Assert.That(host.SecurityOpt, Is.EqualTo(new[] { "no-new-privileges" }));
        Assert.That(host.Privileged, Is.False);
        Assert.That(host.Binds, Is.Null.Or.Empty);
        Assert.That(host.Mounts, Is.Null.Or.Empty);
        Assert.That(host.Tmpfs["/tmp"], Does.Contain("size=67108864").And.Contain("nosuid").And.Contain("noexec"));
        Assert.That(host.PidsLimit, Is.EqualTo(512));
        Assert.That(host.Memory, Is.EqualTo(256L * 1024 * 1024));
        Assert.That(host.MemorySwap, Is.EqualTo(host.Memory), "no swap beyond the memory limit");
        Assert.That(host.NanoCPUs, Is.EqualTo(1_000_000_000));
        Assert.That(host.Ulimits.Single().Name, Is.EqualTo("nofile"));
        Assert.That(create.User, Is.EqualTo("65534:65534"));
        Assert.That(create.Tty, Is.False);
        Assert.That(create.Healthcheck.Test, Is.EqualTo(new[] { "NONE" }));
        Assert.That(create.StopSignal, Is.EqualTo("SIGTERM"));
        Assert.That(create.OpenStdin, Is.True);
        Assert.That(create.Labels, Is.EqualTo(new Dictionary<string, string>
        {
            ["smcp.tenant"] = "acme", ["smcp.server"] = "notes", ["smcp.session"] = "sid", ["smcp.instance"] = "i1",
        }));
    }

    [Test]
    public void Runc_gets_the_shipped_seccomp_profile_and_its_own_pids_default()
    {
        var create = ContainerSpecFactory.Create(Spec with { Runtime = "runc" }, new SandboxOptions(), "sid", null);

        Assert.That(create.HostConfig.Runtime, Is.EqualTo("runc"));
        Assert.That(create.HostConfig.PidsLimit, Is.EqualTo(64));
        Assert.That(create.HostConfig.SecurityOpt, Has.Count.EqualTo(2));
        Assert.That(create.HostConfig.SecurityOpt[1], Does.StartWith("seccomp={"));
    }

    [TestCase("mount")]
    [TestCase("unshare")]
    [TestCase("setns")]
    [TestCase("keyctl")]
    [TestCase("bpf")]
    [TestCase("ptrace")]
    [TestCase("userfaultfd")]
    [TestCase("perf_event_open")]
    [TestCase("init_module")]
    [TestCase("finit_module")]
    [TestCase("delete_module")]
    public void The_seccomp_profile_denies_more_than_dockers_default(string syscall)
    {
        using var profile = System.Text.Json.JsonDocument.Parse(ContainerSpecFactory.SeccompProfile);
        Assert.That(profile.RootElement.GetProperty("defaultAction").GetString(), Is.EqualTo("SCMP_ACT_ERRNO"));
        var rules = profile.RootElement.GetProperty("syscalls").EnumerateArray()
            .Where(r => r.GetProperty("names").EnumerateArray().Any(n => n.GetString() == syscall))
            .Select(r => r.GetProperty("action").GetString())
            .ToList();
        Assert.That(rules, Is.EqualTo(new[] { "SCMP_ACT_ERRNO" }), $"{syscall} must only appear in a deny rule");
    }

    [Test]
    public void Explicit_limits_win_over_runtime_defaults()
    {
        var spec = Spec with { Limits = new SandboxLimits { Pids = 100, Cpus = null, MemoryBytes = 64 * 1024 * 1024, TmpfsBytes = 1024 * 1024 } };
        var host = ContainerSpecFactory.Create(spec, new SandboxOptions(), "sid", null).HostConfig;

        Assert.That(host.PidsLimit, Is.EqualTo(100));
        Assert.That(host.NanoCPUs, Is.Zero);
        Assert.That(host.Memory, Is.EqualTo(64 * 1024 * 1024));
        Assert.That(host.Tmpfs["/tmp"], Does.Contain("size=1048576"));
    }

    [TestCase(null, "65534:65534")]
    [TestCase("", "65534:65534")]
    [TestCase("root", "65534:65534")]
    [TestCase("0:0", "65534:65534")]
    [TestCase("00", "65534:65534")]
    [TestCase("1000:0", "65534:65534")]
    [TestCase("node", "65534:65534")]
    [TestCase("1000", "1000")]
    [TestCase("1000:1000", "1000:1000")]
    public void The_image_user_is_kept_only_when_it_is_a_numeric_non_root_id(string? imageUser, string expected) =>
        Assert.That(ContainerSpecFactory.ChooseUser(imageUser), Is.EqualTo(expected));

    [Test]
    public void Fingerprint_is_stable_and_changes_with_anything_that_shapes_the_container()
    {
        var spec = TestDocker.Spec("img:1") with { Env = new Dictionary<string, string> { ["A"] = "1", ["B"] = "2" } };
        var reordered = spec with { Env = new Dictionary<string, string> { ["B"] = "2", ["A"] = "1" } };

        Assert.That(reordered.Fingerprint(), Is.EqualTo(spec.Fingerprint()));
        Assert.That((spec with { Env = new Dictionary<string, string> { ["A"] = "x" } }).Fingerprint(), Is.Not.EqualTo(spec.Fingerprint()));
        Assert.That((spec with { Args = ["x"] }).Fingerprint(), Is.Not.EqualTo(spec.Fingerprint()));
        Assert.That((spec with { Limits = new SandboxLimits { Pids = 9 } }).Fingerprint(), Is.Not.EqualTo(spec.Fingerprint()));
        Assert.That((spec with { Runtime = "runc" }).Fingerprint(), Is.Not.EqualTo(spec.Fingerprint()));
    }
}
