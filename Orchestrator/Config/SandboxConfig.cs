using Smcp.Sandbox;
using Smcp.Sandbox.Kubernetes;

namespace Smcp.Orchestrator.Config;

/// <summary><c>sandbox:</c> of smcp.yaml: which engine runs sandboxes, and the cluster's settings for Kubernetes.</summary>
internal sealed record SandboxConfig
{
    public string Engine { get; init; } = SandboxEngines.Docker;

    public KubernetesSandboxOptions Kubernetes { get; init; } = new();
}
