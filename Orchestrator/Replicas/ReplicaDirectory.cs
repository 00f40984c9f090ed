using Dapper;
using Smcp.Orchestrator.Data;
using Smcp.Proxy.Ports;
using Smcp.Proxy.Replicas;

namespace Smcp.Orchestrator.Replicas;

/// <summary>The session directory in Postgres: one row per live session, naming the replica that holds it; rows of a replica past its lease do not count.</summary>
internal sealed class ReplicaDirectory(TenantDb db, ReplicaOptions options) : ISessionDirectory
{
    /// <summary>Lock scope of the transactions that count a tenant's sessions over every replica and add one.</summary>
    public const string SessionLock = "smcp.sessions";

    private readonly string _replica = options.Id!;
    private readonly double _leaseSeconds = options.Lease.TotalSeconds;

    public bool IsShared => true;

    public Task<DirectoryClaim> ClaimAsync(string tenant, string sessionId, int maxSessions, CancellationToken cancellationToken) =>
        db.RunAsync(tenant, async (connection, transaction) =>
        {
            if (maxSessions > 0)
            {
                // Serialized per tenant over every replica: two initializes at once cannot both take the last slot.
                await TenantDb.LockTenantAsync(connection, transaction, SessionLock, tenant, cancellationToken);
                var live = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT count(*) FROM session_directory d JOIN replicas r USING (replica_id) " +
                    "WHERE d.tenant_id = @tenant AND r.heartbeat_at > now() - make_interval(secs => @lease)",
                    new { tenant, lease = _leaseSeconds }, transaction, cancellationToken: cancellationToken));
                if (live >= maxSessions)
                {
                    return DirectoryClaim.TenantFull;
                }
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO session_directory (tenant_id, session_id, replica_id) VALUES (@tenant, @sessionId, @replica)",
                new { tenant, sessionId, replica = _replica }, transaction, cancellationToken: cancellationToken));
            return DirectoryClaim.Claimed;
        }, cancellationToken);

    public Task ReleaseAsync(string tenant, string sessionId, CancellationToken cancellationToken) =>
        db.RunAsync(tenant, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM session_directory WHERE tenant_id = @tenant AND session_id = @sessionId AND replica_id = @replica",
            new { tenant, sessionId, replica = _replica }, transaction, cancellationToken: cancellationToken)), cancellationToken);

    public Task ForgetAsync(string tenant, string sessionId, CancellationToken cancellationToken) =>
        db.RunAsync(tenant, async (connection, transaction) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE sessions SET ended_at = now(), end_reason = 'replica gone' WHERE tenant_id = @tenant AND id = @sessionId AND ended_at IS NULL",
                new { tenant, sessionId }, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM session_directory WHERE tenant_id = @tenant AND session_id = @sessionId",
                new { tenant, sessionId }, transaction, cancellationToken: cancellationToken));
        }, cancellationToken);

    public async Task<Uri?> FindOwnerAsync(string tenant, string sessionId, CancellationToken cancellationToken)
    {
        // A session id longer than any SMCP makes cannot be in the directory: no round trip for it.
        if (sessionId.Length > 64)
        {
            return null;
        }

        var address = await db.RunAsync(tenant, (connection, transaction) => connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT r.internal_address FROM session_directory d JOIN replicas r USING (replica_id) " +
            "WHERE d.tenant_id = @tenant AND d.session_id = @sessionId AND r.replica_id <> @replica AND r.heartbeat_at > now() - make_interval(secs => @lease)",
            new { tenant, sessionId, replica = _replica, lease = _leaseSeconds }, transaction, cancellationToken: cancellationToken)), cancellationToken);
        return address is not null && Uri.TryCreate(address, UriKind.Absolute, out var owner) ? owner : null;
    }
}
