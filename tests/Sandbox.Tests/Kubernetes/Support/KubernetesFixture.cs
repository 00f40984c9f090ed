using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Smcp.Sandbox.Kubernetes;

namespace Smcp.Sandbox.Tests.Kubernetes.Support;

/// <summary>A <see cref="FakeApiServer"/> and the real KubernetesClient pointed at it, as SMCP builds it.</summary>
internal sealed class KubernetesFixture : IAsyncDisposable
{
    public const string Registry = "registry.test:5000";
    public const string Tenant = "acme";

    private KubernetesFixture(FakeApiServer server, IKubernetes client, SandboxOptions options)
    {
        Server = server;
        Client = client;
        Options = options;
        Engine = SandboxServiceCollectionExtensions.CreateKubernetesEngine(client, options, NullLoggerFactory.Instance);
    }

    public FakeApiServer Server { get; }

    public IKubernetes Client { get; }

    public SandboxOptions Options { get; }

    public ISandboxEngine Engine { get; }

    public static async Task<KubernetesFixture> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var server = await FakeApiServer.StartAsync();
        var options = new SandboxOptions
        {
            Engine = SandboxEngines.Kubernetes,
            InstanceId = "k8s-tests",
            StopGracePeriod = TimeSpan.FromSeconds(1),
            Kubernetes = new KubernetesSandboxOptions
            {
                Namespace = FakeApiServer.Namespace,
                RuntimeClassName = FakeApiServer.RuntimeClass,
                Registry = Registry,
                Kubeconfig = "unused-the-client-is-given",
                PodStartTimeout = TimeSpan.FromSeconds(20),
            },
        };
        configure?.Invoke(options);
        var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = server.BaseUri.ToString() });
        return new KubernetesFixture(server, client, options);
    }

    /// <summary>A spec for the scripted image <paramref name="server"/> (echo, flood, pullfails), referenced as the engine demands.</summary>
    public static SandboxSpec Spec(string server) => new()
    {
        Image = VettedReference.For(Registry, Tenant, server, "sha256:" + new string('a', 64)),
        Tenant = Tenant,
        Server = server,
        Env = new Dictionary<string, string> { ["MEMORY_FILE_PATH"] = "/tmp/memory.json" },
        Limits = new SandboxLimits { MemoryBytes = 256L * 1024 * 1024, Cpus = 0.5 },
    };

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
