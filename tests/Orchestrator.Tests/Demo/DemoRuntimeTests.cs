using Docker.DotNet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Smcp.Orchestrator.Tests.Support;
using Smcp.Sandbox;

namespace Smcp.Orchestrator.Tests.Demo;

/// <summary>
/// README's claim that <c>Sandbox__DefaultRuntime</c> changes nothing under <c>smcp serve</c>: smcp.yaml's runtime
/// (<c>defaults.runtime</c>, a tenant's <c>quotas.runtime</c>) always wins, and the demo's sandboxes run under gVisor.
/// </summary>
public sealed class DemoRuntimeTests
{
    [Test]
    public async Task Smcp_yaml_decides_the_runtime_whatever_Sandbox_DefaultRuntime_says()
    {
        var options = DemoHost.Smcp.Services.GetRequiredService<IOptions<SandboxOptions>>().Value;
        Assert.That(options.DefaultRuntime, Is.EqualTo(SandboxRuntimes.Runc).And.Not.EqualTo(DemoHost.StraySandboxDefaultRuntime),
            "smcp.yaml's defaults.runtime, not the Sandbox:DefaultRuntime setting");

        // The demo keeps one warm sandbox, so a container of the tenant is there or on its way.
        using var containers = new SandboxContainers();
        IReadOnlyList<string> ids = [];
        for (var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1); ids.Count == 0 && DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            ids = await containers.ListAsync(DemoHost.Smcp.InstanceId, DemoHost.Tenant);
        }

        Assert.That(ids, Is.Not.Empty, "the demo tenant's warm sandbox");
        using var docker = new DockerClientConfiguration(new Uri("unix:///var/run/docker.sock")).CreateClient(new System.Version(1, 41));
        var inspected = await docker.Containers.InspectContainerAsync(ids[0]);
        Assert.That(inspected.HostConfig.Runtime, Is.EqualTo(SandboxRuntimes.Gvisor), "the tenant's quotas.runtime");
    }
}
