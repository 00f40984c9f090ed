using System.Text;
using System.Text.Json.Nodes;
using Smcp.Sandbox.Tests.Kubernetes.Support;

namespace Smcp.Sandbox.Tests.Kubernetes;

/// <summary>The Kubernetes engine against the API server double, through the real KubernetesClient.</summary>
public sealed class KubernetesEngineTests
{
    private KubernetesFixture _k8s = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _k8s = await KubernetesFixture.StartAsync();

    [OneTimeTearDown]
    public async Task StopAsync() => await _k8s.DisposeAsync();

    [Test]
    public async Task The_pod_SMCP_creates_carries_every_hardening_setting()
    {
        await using var sandbox = await _k8s.Engine.StartAsync(KubernetesFixture.Spec("echo"), CancellationToken.None);

        var pod = _k8s.Server.Created("/pods").Single(p => p["metadata"]!["name"]!.GetValue<string>() == sandbox.ContainerId);
        var spec = pod["spec"]!;
        var container = spec["containers"]!.AsArray().Single()!;
        var security = container["securityContext"]!;
        Assert.Multiple(() =>
        {
            Assert.That(spec["runtimeClassName"]!.GetValue<string>(), Is.EqualTo("gvisor"));
            Assert.That(spec["automountServiceAccountToken"]!.GetValue<bool>(), Is.False);
            Assert.That(spec["hostNetwork"]!.GetValue<bool>(), Is.False);
            Assert.That(spec["hostPID"]!.GetValue<bool>(), Is.False);
            Assert.That(spec["hostIPC"]!.GetValue<bool>(), Is.False);
            Assert.That(spec["enableServiceLinks"]!.GetValue<bool>(), Is.False);
            Assert.That(spec["restartPolicy"]!.GetValue<string>(), Is.EqualTo("Never"));
            Assert.That(spec["securityContext"]!["runAsNonRoot"]!.GetValue<bool>(), Is.True);
            Assert.That(spec["securityContext"]!["seccompProfile"]!["type"]!.GetValue<string>(), Is.EqualTo("RuntimeDefault"));
            Assert.That(security["runAsNonRoot"]!.GetValue<bool>(), Is.True);
            Assert.That(security["runAsUser"]!.GetValue<long>(), Is.EqualTo(65534));
            Assert.That(security["readOnlyRootFilesystem"]!.GetValue<bool>(), Is.True);
            Assert.That(security["allowPrivilegeEscalation"]!.GetValue<bool>(), Is.False);
            Assert.That(security["privileged"]!.GetValue<bool>(), Is.False);
            Assert.That(security["capabilities"]!["drop"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "ALL" }));
            Assert.That(security["capabilities"]!["add"], Is.Null);
            Assert.That(security["seccompProfile"]!["type"]!.GetValue<string>(), Is.EqualTo("RuntimeDefault"));
            Assert.That(container["resources"]!["limits"]!["memory"]!.GetValue<string>(), Is.EqualTo((256L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(container["resources"]!["limits"]!["cpu"]!.GetValue<string>(), Is.EqualTo("500m"));
            Assert.That(container["resources"]!["requests"]!["memory"]!.GetValue<string>(), Is.EqualTo(container["resources"]!["limits"]!["memory"]!.GetValue<string>()),
                "memory is requested as limited: never overcommitted");
            Assert.That(container["resources"]!["requests"]!["cpu"]!.GetValue<string>(), Is.EqualTo("50m"), "a tenth of the CPU limit");
            Assert.That(container["stdin"]!.GetValue<bool>(), Is.True);
            Assert.That(container["tty"]!.GetValue<bool>(), Is.False);
            Assert.That(spec["volumes"]![0]!["emptyDir"]!["medium"]!.GetValue<string>(), Is.EqualTo("Memory"));
            Assert.That(pod["metadata"]!["labels"]!["smcp.tenant"]!.GetValue<string>(), Is.EqualTo(KubernetesFixture.Tenant));
            Assert.That(pod["metadata"]!["labels"]!["smcp.server"]!.GetValue<string>(), Is.EqualTo("echo"));
            Assert.That(pod["metadata"]!["labels"]!["smcp.session"]!.GetValue<string>(), Is.EqualTo(sandbox.Id));
            Assert.That(pod["metadata"]!["labels"]!["smcp.instance"]!.GetValue<string>(), Is.EqualTo("k8s-tests"));
        });
    }

    [Test]
    public async Task A_deny_all_NetworkPolicy_selects_every_sandbox_pod()
    {
        await _k8s.Engine.EnsureRuntimeAsync(SandboxRuntimes.Gvisor, CancellationToken.None);

        var policy = _k8s.Server.Created("/networkpolicies").Single();
        var spec = policy["spec"]!;
        Assert.Multiple(() =>
        {
            Assert.That(spec["podSelector"]!["matchLabels"]!["smcp.instance"]!.GetValue<string>(), Is.EqualTo("k8s-tests"));
            Assert.That(spec["policyTypes"]!.AsArray().Select(t => t!.GetValue<string>()), Is.EquivalentTo(new[] { "Ingress", "Egress" }));
            Assert.That(spec["egress"]!.AsArray(), Is.Empty, "no egress rule: all egress denied");
            Assert.That(spec["ingress"]!.AsArray(), Is.Empty, "no ingress rule: all ingress denied");
        });
    }

    [Test]
    public async Task A_JSON_RPC_request_and_its_response_pass_through_the_attach_stream()
    {
        await using var sandbox = await _k8s.Engine.StartAsync(KubernetesFixture.Spec("echo"), CancellationToken.None);

        await sandbox.SendAsync("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/list\"}"u8.ToArray(), CancellationToken.None);
        var reply = JsonNode.Parse((await sandbox.Messages.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Span)!;

        Assert.That(reply["id"]!.GetValue<int>(), Is.EqualTo(7));
        Assert.That(reply["result"]!["method"]!.GetValue<string>(), Is.EqualTo("tools/list"));
        Assert.That(reply["result"]!["pod"]!.GetValue<string>(), Is.EqualTo(sandbox.ContainerId));
        Assert.That(sandbox.StderrTail(), Does.Contain("fake server ready"), "stderr (channel 2) is kept apart from stdout");
    }

    [Test]
    public async Task A_dropped_watch_is_started_again_and_the_session_goes_on()
    {
        await using var sandbox = await _k8s.Engine.StartAsync(KubernetesFixture.Spec("echo"), CancellationToken.None);
        await WaitForAsync(() => _k8s.Server.WatchCount(sandbox.ContainerId) == 1);
        var watches = WatchRequests(sandbox.ContainerId);

        _k8s.Server.DropWatches(sandbox.ContainerId);
        await WaitForAsync(() => WatchRequests(sandbox.ContainerId) > watches && _k8s.Server.WatchCount(sandbox.ContainerId) == 1);

        Assert.That(sandbox.Exited.IsCompleted, Is.False, "a dropped watch is not the sandbox's end");
        await sandbox.SendAsync("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}"u8.ToArray(), CancellationToken.None);
        var reply = JsonNode.Parse((await sandbox.Messages.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Span)!;
        Assert.That(reply["id"]!.GetValue<int>(), Is.EqualTo(2));
    }

    [Test]
    public async Task Disposing_a_sandbox_deletes_its_pod_and_reports_it_stopped()
    {
        var sandbox = await _k8s.Engine.StartAsync(KubernetesFixture.Spec("echo"), CancellationToken.None);
        await sandbox.DisposeAsync();

        var exit = await sandbox.Exited.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(exit.Reason, Is.EqualTo(SandboxExitReason.Stopped));
        Assert.That(_k8s.Server.PodNames, Does.Not.Contain(sandbox.ContainerId));
    }

    [Test]
    public async Task A_pod_whose_image_cannot_be_pulled_fails_the_start_with_the_reason_and_is_deleted()
    {
        var before = _k8s.Server.PodNames.Count;
        var refused = Assert.ThrowsAsync<SandboxException>(() => _k8s.Engine.StartAsync(KubernetesFixture.Spec("pullfails"), CancellationToken.None));

        Assert.That(refused!.Error, Is.EqualTo(SandboxError.ImageNotFound));
        Assert.That(refused.Message, Does.Contain("could not pull the image").And.Contain("ErrImagePull"));
        Assert.That(_k8s.Server.PodNames, Has.Count.EqualTo(before), "the stuck pod was deleted");
    }

    [TestCase("registry.test:5000/smcp/acme/echo:latest", TestName = "A tag instead of a digest is refused")]
    [TestCase("evil.example/smcp/acme/echo@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", TestName = "Another registry is refused")]
    [TestCase("registry.test:5000/smcp/other/echo@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", TestName = "Another tenant's repository is refused")]
    [TestCase("registry.test:5000/smcp/acme/echo@sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", TestName = "A malformed digest is refused")]
    [TestCase("sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", TestName = "A bare engine image id is refused")]
    public void Only_the_vetted_image_by_digest_runs(string image)
    {
        var requests = _k8s.Server.Requests.Count(r => r.Method == "POST" && r.Path.Contains("/pods", StringComparison.Ordinal));
        var refused = Assert.ThrowsAsync<SandboxException>(() => _k8s.Engine.StartAsync(KubernetesFixture.Spec("echo") with { Image = image }, CancellationToken.None));

        Assert.That(refused!.Error, Is.EqualTo(SandboxError.InvalidImage));
        Assert.That(refused.Message, Does.Contain("registry.test:5000/smcp/acme/echo@sha256:"));
        Assert.That(_k8s.Server.Requests.Count(r => r.Method == "POST" && r.Path.Contains("/pods", StringComparison.Ordinal)), Is.EqualTo(requests), "no pod was created");
    }

    [Test]
    public async Task An_oversize_stdout_line_ends_the_sandbox_as_on_the_Docker_path()
    {
        await using var k8s = await KubernetesFixture.StartAsync(o => o.MaxMessageBytes = 64 * 1024);
        await using var sandbox = await k8s.Engine.StartAsync(KubernetesFixture.Spec("flood"), CancellationToken.None);

        await sandbox.SendAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"u8.ToArray(), CancellationToken.None);
        var exit = await sandbox.Exited.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(exit.Reason, Is.EqualTo(SandboxExitReason.MessageTooLarge));
        Assert.That(await sandbox.Messages.Completion.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(t => t.IsCompletedSuccessfully), Is.True);
        Assert.That(sandbox.Messages.TryRead(out _), Is.False, "no part of the oversize line reached the reader");
        Assert.That(k8s.Server.PodNames, Does.Not.Contain(sandbox.ContainerId), "the pod was deleted");
    }

    [Test]
    public async Task A_container_the_kubelet_killed_for_its_memory_limit_ends_as_out_of_memory()
    {
        await using var sandbox = await _k8s.Engine.StartAsync(KubernetesFixture.Spec("oom"), CancellationToken.None);

        await sandbox.SendAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\"}"u8.ToArray(), CancellationToken.None);
        var exit = await sandbox.Exited.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.That(exit.Reason, Is.EqualTo(SandboxExitReason.OutOfMemory));
        Assert.That(exit.ExitCode, Is.EqualTo(137));
        Assert.That(exit.OomKilled, Is.True);
    }

    [Test]
    public void A_missing_RuntimeClass_is_a_clear_error()
    {
        var engine = SandboxServiceCollectionExtensions.CreateKubernetesEngine(
            _k8s.Client, WithRuntimeClass("kata"), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);

        var refused = Assert.ThrowsAsync<SandboxException>(() => engine.EnsureRuntimeAsync(SandboxRuntimes.Gvisor, CancellationToken.None));
        Assert.That(refused!.Error, Is.EqualTo(SandboxError.RuntimeUnavailable));
        Assert.That(refused.Message, Does.Contain("no RuntimeClass 'kata'").And.Contain("runtimeClassName"));
    }

    [Test]
    public void Image_uploads_say_how_images_reach_the_cluster()
    {
        var refused = Assert.ThrowsAsync<SandboxException>(() =>
            _k8s.Engine.LoadImageAsync(Stream.Null, "sha256:" + new string('b', 64), "acme", "echo", CancellationToken.None));

        Assert.That(refused!.Error, Is.EqualTo(SandboxError.Unsupported));
        Assert.That(refused.Message, Does.Contain("registry.test:5000/smcp/acme/echo"));
    }

    private int WatchRequests(string pod) =>
        _k8s.Server.Requests.Count(r => r.Path.Contains("watch=", StringComparison.Ordinal) && r.Path.Contains(pod, StringComparison.Ordinal));

    /// <summary>Polls a condition of the double's state (no timing is asserted: a condition that never holds fails after 20 s).</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the double never reached the expected state");
            await Task.Delay(20);
        }
    }

    private SandboxOptions WithRuntimeClass(string name)
    {
        var options = new SandboxOptions { InstanceId = _k8s.Options.InstanceId, Engine = SandboxEngines.Kubernetes };
        options.Kubernetes.Namespace = _k8s.Options.Kubernetes.Namespace;
        options.Kubernetes.Registry = _k8s.Options.Kubernetes.Registry;
        options.Kubernetes.RuntimeClassName = name;
        return options;
    }
}
