namespace Smcp.Proxy.Ports;

/// <summary>Whether a session got its row in the directory.</summary>
public enum DirectoryClaim
{
    Claimed,

    /// <summary>The tenant's live sessions, on every replica together, already reach its maxSessions.</summary>
    TenantFull,
}

/// <summary>
/// Which proxy replica holds which session, shared by every replica (Postgres). Written on initialize, removed when
/// the session ends; a replica whose lease ran out no longer owns any.
/// </summary>
public interface ISessionDirectory
{
    /// <summary>Whether replicas share the directory at all; when false every call is a no-op and nothing is forwarded.</summary>
    bool IsShared { get; }

    /// <summary>Records that this replica holds <paramref name="sessionId"/>, unless the tenant's live sessions on all replicas reach <paramref name="maxSessions"/>.</summary>
    Task<DirectoryClaim> ClaimAsync(string tenant, string sessionId, int maxSessions, CancellationToken cancellationToken);

    Task ReleaseAsync(string tenant, string sessionId, CancellationToken cancellationToken);

    /// <summary>Removes the session's row whoever holds it: its owner refused the connection, so nothing serves it any longer.</summary>
    Task ForgetAsync(string tenant, string sessionId, CancellationToken cancellationToken);

    /// <summary>The internal address of the live replica, other than this one, that holds the tenant's session; null when none does.</summary>
    Task<Uri?> FindOwnerAsync(string tenant, string sessionId, CancellationToken cancellationToken);
}
