using Dapper;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Data;
using Smcp.Orchestrator.OAuth.Clients;

namespace Smcp.Orchestrator.OAuth;

/// <summary>Finds the client a <c>client_id</c> names at a tenant's issuer: registered and service clients in <c>oauth_clients</c>, or a client ID metadata document.</summary>
internal sealed class ClientDirectory(TenantDb db, ClientMetadataDocuments documents, ConfigMonitor config)
{
    /// <summary>The schema's bound on a client id.</summary>
    public const int MaxClientIdLength = 2048;

    /// <summary>Whether <paramref name="clientId"/> could name a client at all: 1 to 2048 characters, none of them control characters (Postgres text holds no NUL).</summary>
    public static bool IsPlausibleId(string clientId) => clientId.Length is > 0 and <= MaxClientIdLength && !clientId.Any(char.IsControl);

    public async Task<ClientLookup> FindAsync(string tenantId, string clientId, CancellationToken cancellationToken)
    {
        if (!IsPlausibleId(clientId))
        {
            return ClientLookup.Refused("The client_id is empty, too long, or holds control characters.");
        }

        if (ClientMetadataDocuments.IsMetadataDocumentId(clientId))
        {
            return config.Current.OAuth.ClientMetadataDocuments.Enabled
                ? await documents.FindAsync(clientId, cancellationToken)
                : ClientLookup.Refused("This server does not accept client ID metadata documents; register the client instead.");
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
            Kind = row.Kind == ClientKinds.Service ? OAuthClientKind.Service : OAuthClientKind.Registered,
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
