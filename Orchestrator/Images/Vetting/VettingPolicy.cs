using Smcp.Orchestrator.Config;

namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>Limits and choices for vetting one tenant's upload.</summary>
/// <remarks>Setuid/setgid files, device nodes, unsafe paths, corrupt archives and exceeded limits always reject.</remarks>
internal sealed record VettingPolicy
{
    public static VettingPolicy Default { get; } = new();

    public int MaxLayers { get; init; } = 128;

    /// <summary>Limit on the tarball's size and, separately, on the size of its layers after decompression.</summary>
    public long MaxBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    public SuspiciousEnvAction OnSuspiciousEnv { get; init; } = SuspiciousEnvAction.Warn;
}
