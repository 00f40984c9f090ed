using Dapper;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.OAuth.Clients;

/// <summary>A client as a tenant admin sees it: never its secret.</summary>
internal sealed record ClientSummary
{
    public required string ClientId { get; init; }
    public required string Kind { get; init; }
    public string? ClientName { get; init; }
    public required string AuthMethod { get; init; }
    public required string Scope { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
}

/// <summary>Adds, lists and revokes clients in <c>oauth_clients</c>, under the tenant's row-level security.</summary>
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

    /// <summary>Adds a service client (client_credentials, confidential) a tenant admin asked for.</summary>
    public Task<DateTimeOffset> CreateServiceAsync(
        string tenantId, string clientId, string? name, string authMethod, string scope, byte[] secretHash, CancellationToken cancellationToken) =>
        db.RunAsync(tenantId, async (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO oauth_clients (tenant_id, client_id, kind, client_name, grant_types, auth_method, secret_hash, scope, created_at)
                VALUES (@tenantId, @clientId, @Service, @name, @grants, @authMethod, @secretHash, @scope, @now)
                """,
                new { tenantId, clientId, ClientKinds.Service, name, grants = new[] { OAuthNames.ClientCredentialsGrant }, authMethod, secretHash, scope, now },
                transaction, cancellationToken: cancellationToken));
            return now;
        }, cancellationToken);

    public Task<List<ClientSummary>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        db.RunAsync(tenantId, async (connection, transaction) => (await connection.QueryAsync<ClientSummary>(new CommandDefinition(
            """
            SELECT client_id AS ClientId, kind AS Kind, client_name AS ClientName, auth_method AS AuthMethod, scope AS Scope,
                   created_at AS CreatedAt, revoked_at AS RevokedAt
            FROM oauth_clients WHERE tenant_id = @tenantId ORDER BY created_at, client_id
            """, new { tenantId }, transaction, cancellationToken: cancellationToken))).AsList(), cancellationToken);

    /// <summary>Revokes an unrevoked client at once: it can no longer authenticate, so neither its codes nor its refresh tokens redeem; whether there was one.</summary>
    public Task<bool> RevokeAsync(string tenantId, string clientId, CancellationToken cancellationToken) =>
        db.RunAsync(tenantId, async (connection, transaction) => await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE oauth_clients SET revoked_at = @now WHERE tenant_id = @tenantId AND client_id = @clientId AND revoked_at IS NULL",
            new { tenantId, clientId, now = time.GetUtcNow() }, transaction, cancellationToken: cancellationToken)) == 1, cancellationToken);
}
