using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Replicas;

/// <summary>One process alone: no directory, no forwarding, limits counted in memory.</summary>
internal sealed class UnsharedSessionDirectory : ISessionDirectory
{
    public bool IsShared => false;

    public Task<DirectoryClaim> ClaimAsync(string tenant, string sessionId, int maxSessions, CancellationToken cancellationToken) =>
        Task.FromResult(DirectoryClaim.Claimed);

    public Task ReleaseAsync(string tenant, string sessionId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ForgetAsync(string tenant, string sessionId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<Uri?> FindOwnerAsync(string tenant, string sessionId, CancellationToken cancellationToken) => Task.FromResult<Uri?>(null);
}
