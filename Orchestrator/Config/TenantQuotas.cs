using Smcp.Sandbox;

namespace Smcp.Orchestrator.Config;

/// <summary>What one tenant may use. The initial values are the built-in defaults.</summary>
internal sealed record TenantQuotas
{
    public int MaxServers { get; init; } = 10;

    /// <summary>Live sandboxes, warm ones included.</summary>
    public int MaxSessions { get; init; } = 20;

    /// <summary>MCP requests per minute over all the tenant's servers.</summary>
    public int RequestsPerMinute { get; init; } = 600;

    /// <summary>Largest single image upload (the <c>docker save</c> tarball).</summary>
    public long MaxImageBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>All the tenant's stored images together.</summary>
    public long TotalImageBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Image uploads of the tenant in flight at once (spooled, vetted or loading).</summary>
    public int MaxConcurrentUploads { get; init; } = 2;

    /// <summary>A session without a request for this long is ended and its sandbox removed.</summary>
    public TimeSpan SessionIdleTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Memory limit of each sandbox.</summary>
    public long MemoryBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>CPU share of each sandbox, in cores.</summary>
    public double Cpus { get; init; } = 1.0;

    /// <summary>Process/thread limit of each sandbox; null leaves the runtime's default from the sandbox options.</summary>
    public long? Pids { get; init; }

    /// <summary>Sandboxes kept started per server so a new session need not wait for a cold start.</summary>
    public int WarmPoolSize { get; init; } = 1;

    /// <summary>The OCI runtime: runsc (gVisor) unless the admin loosens it to runc for this tenant.</summary>
    public string Runtime { get; init; } = SandboxRuntimes.Gvisor;

    /// <summary>Sandbox starts (each initialize that starts or takes a sandbox) per minute over all the tenant's servers.</summary>
    public int SessionStartsPerMinute { get; init; } = 60;

    /// <summary>At maxSessions, an initialize ends the tenant's least recently active session idle at least this long.</summary>
    public TimeSpan ReclaimIdleAfter { get; init; } = TimeSpan.FromSeconds(30);
}
