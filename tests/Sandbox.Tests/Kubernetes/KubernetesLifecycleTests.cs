using System.Net;
using System.Net.Sockets;
using System.Text;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Smcp.Sandbox.Pool;
using Smcp.Sandbox.Tests.Kubernetes.Support;

namespace Smcp.Sandbox.Tests.Kubernetes;

/// <summary>Reconciliation, the warm pool, an unreachable cluster, and the schema of everything SMCP sent: each with an API server double of its own.</summary>
public sealed class KubernetesLifecycleTests
{
    [Test]
    public async Task Reconciliation_deletes_the_pods_of_this_instance_left_from_before_and_no_others()
    {
        await using var k8s = await KubernetesFixture.StartAsync();
        k8s.Server.AddRunningPod("smcp-left-1", new Dictionary<string, string> { ["smcp.instance"] = "k8s-tests", ["smcp.tenant"] = "acme" });
        k8s.Server.AddRunningPod("smcp-left-2", new Dictionary<string, string> { ["smcp.instance"] = "k8s-tests", ["smcp.tenant"] = "beta" });
        k8s.Server.AddRunningPod("smcp-other", new Dictionary<string, string> { ["smcp.instance"] = "another-install" });
        k8s.Server.AddRunningPod("unrelated", new Dictionary<string, string> { ["app"] = "web" });

        var removed = await k8s.Engine.RemoveOrphansAsync(CancellationToken.None);

        Assert.That(removed, Is.EqualTo(2));
        Assert.That(k8s.Server.PodNames, Is.EquivalentTo(new[] { "smcp-other", "unrelated" }));
    }

    [Test]
    public async Task The_warm_pool_hands_out_a_running_pod_through_the_engine_seam_and_refills()
    {
        await using var k8s = await KubernetesFixture.StartAsync();
        await using var pool = new WarmPool(k8s.Engine, NullLoggerFactory.Instance);
        var spec = KubernetesFixture.Spec("echo");
        var policy = new PoolPolicy(WarmSize: 1, TenantLimit: 3);

        pool.Warm(spec, policy);
        await pool.WhenIdleAsync(spec, CancellationToken.None);
        Assert.That(pool.ReadyCount(spec), Is.EqualTo(1));
        var warmPod = k8s.Server.PodNames.Single();

        await using var sandbox = await pool.AcquireAsync(spec, policy, CancellationToken.None);
        Assert.That(sandbox.ContainerId, Is.EqualTo(warmPod), "the session got the pod started ahead of it");
        await sandbox.SendAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\"}"u8.ToArray(), CancellationToken.None);
        var reply = await sandbox.Messages.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(Encoding.UTF8.GetString(reply.Span), Does.Contain("\"method\":\"initialize\""));

        await pool.WhenIdleAsync(spec, CancellationToken.None);
        Assert.That(pool.ReadyCount(spec), Is.EqualTo(1), "the pool refilled behind the acquire");
        Assert.That(k8s.Server.PodNames, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task An_API_server_that_does_not_answer_stops_the_start_with_what_to_check()
    {
        var port = ClosedPort();
        using var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = $"http://127.0.0.1:{port}" });
        await using var k8s = await KubernetesFixture.StartAsync();
        var engine = SandboxServiceCollectionExtensions.CreateKubernetesEngine(client, k8s.Options, NullLoggerFactory.Instance);

        var refused = Assert.ThrowsAsync<SandboxException>(() => engine.EnsureRuntimeAsync(SandboxRuntimes.Gvisor, CancellationToken.None));

        Assert.That(refused!.Error, Is.EqualTo(SandboxError.EngineUnavailable));
        Assert.That(refused.Message, Does.Contain("does not answer").And.Contain("sandbox.kubernetes"));
    }

    [Test]
    public async Task Every_object_SMCP_sends_is_valid_against_the_Kubernetes_OpenAPI_schema()
    {
        await using var k8s = await KubernetesFixture.StartAsync();
        var specs = new[]
        {
            KubernetesFixture.Spec("echo"),
            KubernetesFixture.Spec("echo") with { Runtime = SandboxRuntimes.Runc, Entrypoint = ["/bin/server"], Args = ["--stdio"], WorkingDir = "/app", User = "1000:1000" },
            KubernetesFixture.Spec("echo") with { Limits = new SandboxLimits { Cpus = null, MemoryBytes = 64L * 1024 * 1024 } },
        };
        foreach (var spec in specs)
        {
            await using var sandbox = await k8s.Engine.StartAsync(spec, CancellationToken.None);
        }

        var sent = k8s.Server.Created("/pods").Select(p => (KubernetesSchema.Pod, p))
            .Concat(k8s.Server.Created("/networkpolicies").Select(p => (KubernetesSchema.NetworkPolicy, p))).ToList();
        Assert.That(sent, Has.Count.EqualTo(4));
        foreach (var (definition, body) in sent)
        {
            Assert.That(KubernetesSchema.Errors(definition, body), Is.Empty, body.ToJsonString());
        }
    }

    [Test]
    public void The_schema_check_catches_a_misspelt_field_and_a_wrong_enum()
    {
        var pod = System.Text.Json.Nodes.JsonNode.Parse(
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"runtimeClass":"gvisor","containers":[{"name":"mcp","securityContext":{"seccompProfile":{"type":"Default"}}}]}}""")!;

        var errors = KubernetesSchema.Errors(KubernetesSchema.Pod, pod);

        Assert.That(errors, Has.Some.Contains("/spec"), "runtimeClass is not a PodSpec field");
        Assert.That(errors, Has.Some.Contains("/spec/containers/0/securityContext/seccompProfile/type"));
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
