namespace Smcp.Sandbox.Kubernetes;

/// <summary>Where and how sandboxes run when <see cref="SandboxOptions.Engine"/> is <c>kubernetes</c> (smcp.yaml <c>sandbox.kubernetes</c>).</summary>
public sealed class KubernetesSandboxOptions
{
    /// <summary>The namespace SMCP creates its pods and its NetworkPolicy in; it must exist.</summary>
    public string Namespace { get; set; } = "smcp-sandboxes";

    /// <summary>The RuntimeClass of runsc sandboxes (GKE Sandbox names it <c>gvisor</c>).</summary>
    public string RuntimeClassName { get; set; } = "gvisor";

    /// <summary>A kubeconfig file to reach the API server with; null with <see cref="InCluster"/> uses the pod's service account.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>The kubeconfig context to use; null takes the file's current context.</summary>
    public string? Context { get; set; }

    /// <summary>SMCP runs inside the cluster and reaches the API server with its service account.</summary>
    public bool InCluster { get; set; }

    /// <summary>
    /// The registry the cluster pulls vetted images from (e.g. <c>registry.internal:5000</c>): a sandbox runs only
    /// <c>{Registry}/smcp/{tenant}/{server}@sha256:{digest}</c>.
    /// </summary>
    public string? Registry { get; set; }

    /// <summary>A pod's CPU request as a share of its CPU limit (its memory request is its limit).</summary>
    /// <remarks>
    /// An idle MCP server uses almost no CPU: a request equal to the limit would reserve a whole core per session on the
    /// node. Memory is never overcommitted: the request is the limit, so the scheduler places no more sandboxes than fit.
    /// </remarks>
    public double CpuRequestRatio { get; set; } = 0.1;

    /// <summary>How long a pod may take from create to running (scheduling and image pull included) before the start is failed.</summary>
    public TimeSpan PodStartTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Every mistake in these settings, each naming the smcp.yaml key to write.</summary>
    public IEnumerable<string> Validate() => KubernetesOptionsValidator.Validate(this);
}
