using Smcp.Sandbox.Kubernetes;

namespace Smcp.Sandbox;

/// <summary>Settings of the sandbox layer, bound from the <c>Sandbox</c> configuration section.</summary>
public sealed class SandboxOptions
{
    public const string Section = "Sandbox";

    /// <summary>Where sandboxes run: <c>docker</c> (the default: dockerd on this host) or <c>kubernetes</c> (pods on a cluster).</summary>
    public string Engine { get; set; } = SandboxEngines.Docker;

    /// <summary>The cluster's settings when <see cref="Engine"/> is <c>kubernetes</c>.</summary>
    public KubernetesSandboxOptions Kubernetes { get; set; } = new();

    /// <summary>The Docker Engine API endpoint.</summary>
    public string DockerEndpoint { get; set; } = "unix:///var/run/docker.sock";

    /// <summary>
    /// This installation's id, stable across restarts: every container is labelled with it, and at
    /// start-up containers with this label are left over from before and are removed.
    /// </summary>
    public string InstanceId { get; set; } = "default";

    /// <summary>The runtime for specs that name none: runsc (gVisor) unless the admin says runc.</summary>
    public string DefaultRuntime { get; set; } = SandboxRuntimes.Gvisor;

    /// <summary>Pids limit under runsc, where the sandbox's own threads count (an idle node server uses ~59).</summary>
    public long GvisorPidsLimit { get; set; } = 512;

    public long RuncPidsLimit { get; set; } = 64;

    /// <summary>A stdout line longer than this ends the sandbox.</summary>
    public int MaxMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Stdout messages a session's sandbox may hold unread, in bytes (each message counts its length plus 64).</summary>
    /// <remarks>At least <see cref="MaxMessageBytes"/> plus 64, so the longest message always fits; sized so a session's bursts pass.</remarks>
    public long StdoutBufferBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>The same bound for a warm sandbox no session has claimed yet: nobody reads it, so it may hold only a little.</summary>
    /// <remarks>A message longer than this waits in the reader until the sandbox is claimed (or the flood timeout ends it).</remarks>
    public long WarmStdoutBufferBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// How long the reader waits for room before it ends the sandbox as <see cref="SandboxExitReason.StdoutFlood"/>.
    /// While it waits it reads nothing, so the engine's pipe fills and the server blocks in its write (back-pressure).
    /// </summary>
    public TimeSpan StdoutFloodTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How much of the sandbox's stderr is kept for the tenant's logs.</summary>
    public int StderrBufferBytes { get; set; } = 64 * 1024;

    /// <summary>Between SIGTERM and SIGKILL when a sandbox is stopped.</summary>
    public TimeSpan StopGracePeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Create, attach and start of one container must finish within this.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an image load waits for the one before it (loads run one at a time); then it is refused as busy.</summary>
    /// <remarks>So one tenant's slow loads hold another tenant's upload (and its spooled files) at most this long.</remarks>
    public TimeSpan LoadQueueTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A write to a sandbox's stdin that does not complete within this ends the sandbox (it stopped reading).</summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
