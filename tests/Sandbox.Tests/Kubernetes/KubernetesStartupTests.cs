using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Smcp.Sandbox.Kubernetes;

namespace Smcp.Sandbox.Tests.Kubernetes;

public sealed class KubernetesStartupTests
{
    [Test]
    public async Task A_host_with_the_kubernetes_engine_refuses_to_start_when_the_cluster_does_not_answer()
    {
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"smcp-kubeconfig-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: gone
              cluster: {"{"} server: "http://127.0.0.1:{ClosedPort()}" {"}"}
            users:
            - name: smcp
              user: {"{"} token: "not-a-secret" {"}"}
            contexts:
            - name: gone
              context: {"{"} cluster: gone, user: smcp {"}"}
            current-context: gone
            """);
        try
        {
            var services = new ServiceCollection().AddLogging().AddSmcpSandbox(o =>
            {
                o.Engine = SandboxEngines.Kubernetes;
                o.Kubernetes = new KubernetesSandboxOptions { Kubeconfig = kubeconfig, Registry = "registry.test:5000" };
            });
            await using var provider = services.BuildServiceProvider();
            Assert.That(provider.GetRequiredService<ISandboxEngine>(), Is.InstanceOf<KubernetesSandboxEngine>());

            var startup = provider.GetServices<IHostedService>().Single();
            var refused = Assert.ThrowsAsync<SandboxException>(() => startup.StartAsync(CancellationToken.None));
            Assert.That(refused!.Message, Does.Contain("Kubernetes API server does not answer").And.Not.Contain("not-a-secret"));
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
