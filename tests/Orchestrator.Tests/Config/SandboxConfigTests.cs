using Smcp.Orchestrator.Config;

namespace Smcp.Orchestrator.Tests.Config;

public sealed class SandboxConfigTests
{
    [Test]
    public void Without_a_sandbox_section_sandboxes_run_on_Docker()
    {
        var result = ConfigLoader.Parse("tenants: []", "smcp.yaml", _ => null);

        Assert.That(result.Config!.Sandbox.Engine, Is.EqualTo("docker"));
    }

    [Test]
    public void A_kubernetes_engine_is_read_with_its_cluster_settings()
    {
        var result = ConfigLoader.Parse("""
            sandbox:
              engine: kubernetes
              kubernetes:
                namespace: mcp-sandboxes
                runtimeClassName: gvisor
                kubeconfig: /etc/smcp/kubeconfig
                context: prod
                registry: registry.internal:5000
                cpuRequestRatio: 0.25
                podStartTimeout: 3m
            """, "smcp.yaml", _ => null);

        Assert.That(result.Errors, Is.Empty);
        var kubernetes = result.Config!.Sandbox.Kubernetes;
        Assert.That(result.Config.Sandbox.Engine, Is.EqualTo("kubernetes"));
        Assert.That(kubernetes.Namespace, Is.EqualTo("mcp-sandboxes"));
        Assert.That(kubernetes.Kubeconfig, Is.EqualTo("/etc/smcp/kubeconfig"));
        Assert.That(kubernetes.Context, Is.EqualTo("prod"));
        Assert.That(kubernetes.Registry, Is.EqualTo("registry.internal:5000"));
        Assert.That(kubernetes.CpuRequestRatio, Is.EqualTo(0.25));
        Assert.That(kubernetes.PodStartTimeout, Is.EqualTo(TimeSpan.FromMinutes(3)));
    }

    [Test]
    public void A_kubernetes_engine_without_a_cluster_or_registry_is_refused_with_what_to_write()
    {
        var result = ConfigLoader.Parse("""
            sandbox:
              engine: kubernetes
              kubernetes:
                namespace: Not_A_Namespace
            """, "smcp.yaml", _ => null);

        Assert.That(result.Errors.Select(e => e.ToString()), Is.EqualTo(new[]
        {
            "smcp.yaml:4:5: sandbox.kubernetes: sandbox.kubernetes.namespace 'Not_A_Namespace' is not a namespace name: 1 to 63 lowercase letters, digits and '-', e.g. smcp-sandboxes.",
            "smcp.yaml:4:5: sandbox.kubernetes: sandbox.kubernetes needs exactly one of kubeconfig (a path, e.g. /etc/smcp/kubeconfig) or inCluster: true.",
            "smcp.yaml:4:5: sandbox.kubernetes: sandbox.kubernetes.registry must name the registry the cluster pulls vetted images from, as host[:port][/path], e.g. registry.internal:5000.",
        }));
    }

    [Test]
    public void An_unknown_engine_is_refused_with_the_allowed_ones()
    {
        var result = ConfigLoader.Parse("sandbox: { engine: podman }", "smcp.yaml", _ => null);

        Assert.That(result.Errors.Select(e => e.ToString()).Single(), Does.Contain("sandbox.engine: 'podman' is not an engine").And.Contain("allowed: docker, kubernetes"));
    }
}
