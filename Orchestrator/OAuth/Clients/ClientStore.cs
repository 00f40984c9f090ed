using Dapper;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.OAuth.Clients;

/// <summary>Adds registered clients to <c>oauth_clients</c>, under the tenant's row-level security.</summary>
internal sealed class ClientStore(TenantDb db, TimeProvider time)
{
    /// <summary>Lock scope of the transactions that count a tenant's registered clients and then add one.</summary>
    private const string RegistrationLock = "smcp.oauth-clients";

    /// <summary>Adds a registered client unless the tenant already has <paramref name="limit"/>; whether it did, and when.</summary>
    public Task<DateTimeOffset?> RegisterAsync(
        string tenantId, string clientId, ValidRegistration registration, byte[]? secretHash, int limit, CancellationToken cancellationToken) =>
        db.RunAsync(tenantId, async (connection, transaction) =>
        {
            await TenantDb.LockTenantAsync(connection, transaction, RegistrationLock, tenantId, cancellationToken);
            var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT count(*) FROM oauth_clients WHERE tenant_id = @tenantId AND kind = @Registered AND revoked_at IS NULL",
                new { tenantId, ClientKinds.Registered }, transaction, cancellationToken: cancellationToken));
            if (count >= limit)
            {
                return (DateTimeOffset?)null;
            }

            var now = time.GetUtcNow();
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO oauth_clients (tenant_id, client_id, kind, client_name, redirect_uris, grant_types, auth_method, secret_hash, scope, created_at)
                VALUES (@tenantId, @clientId, @Registered, @Name, @redirectUris, @grantTypes, @AuthMethod, @secretHash, @Scope, @now)
                """,
                new
                {
                    tenantId, clientId, ClientKinds.Registered, registration.Name, redirectUris = registration.RedirectUris.ToArray(),
                    grantTypes = registration.GrantTypes.ToArray(), registration.AuthMethod, secretHash, registration.Scope, now,
                },
                transaction, cancellationToken: cancellationToken));
            return now;
        }, cancellationToken);
}
