using Dapper;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.OAuth;

/// <summary>Finds the client a <c>client_id</c> names in one tenant.</summary>
/// <remarks>This version reads registered and service clients from <c>oauth_clients</c> only; client ID metadata documents come with the authorization server's own.</remarks>
internal sealed class ClientDirectory(TenantDb db)
{
    private const int MaxClientIdLength = 2048;

    public async Task<ClientLookup> FindAsync(string tenantId, string clientId, CancellationToken cancellationToken)
    {
        if (clientId.Length is 0 or > MaxClientIdLength)
        {
            return ClientLookup.Refused("The client_id is not known to this issuer.");
        }

        var row = await db.RunAsync(tenantId, (connection, transaction) => connection.QuerySingleOrDefaultAsync<ClientRow>(new CommandDefinition(
            """
            SELECT client_id AS ClientId, kind AS Kind, client_name AS Name, redirect_uris AS RedirectUris, grant_types AS GrantTypes,
                   auth_method AS AuthMethod, secret_hash AS SecretHash, scope AS Scope
            FROM oauth_clients WHERE tenant_id = @tenantId AND client_id = @clientId AND revoked_at IS NULL
            """, new { tenantId, clientId }, transaction, cancellationToken: cancellationToken)), cancellationToken);
        if (row is null)
        {
            return ClientLookup.Refused("The client_id is not known to this issuer.");
        }

        return ClientLookup.Found(new OAuthClient
        {
            ClientId = row.ClientId,
            Kind = row.Kind == "service" ? OAuthClientKind.Service : OAuthClientKind.Registered,
            Name = row.Name,
            RedirectUris = row.RedirectUris,
            GrantTypes = row.GrantTypes,
            AuthMethod = row.AuthMethod,
            SecretHash = row.SecretHash,
            Scope = row.Scope,
        });
    }

    private sealed record ClientRow
    {
        public required string ClientId { get; init; }
        public required string Kind { get; init; }
        public string? Name { get; init; }
        public required string[] RedirectUris { get; init; }
        public required string[] GrantTypes { get; init; }
        public required string AuthMethod { get; init; }
        public byte[]? SecretHash { get; init; }
        public required string Scope { get; init; }
    }
}
