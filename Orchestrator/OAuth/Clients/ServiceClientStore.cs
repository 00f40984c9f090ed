using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.OAuth.Clients;

/// <summary>A service client as listed: never with its secret or the secret's hash.</summary>
internal sealed record ServiceClientRow
{
    public required string ClientId { get; init; }
    public string? Name { get; init; }
    public required string[] GrantTypes { get; init; }
    public required string AuthMethod { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
}

/// <summary>
/// The <c>oauth_clients</c> rows of kind <c>service</c>: confidential clients a tenant admin makes for machines,
/// which get tokens with <c>client_credentials</c> and authenticate with <c>client_secret_basic</c>.
/// </summary>
/// <remarks>
/// The secret is 32 random bytes, base64url (43 characters), shown once; the row keeps
/// <c>secret_hash</c> = SHA-256 of the secret's UTF-8 text, exactly as the client sends it, so the token
/// endpoint checks a presented secret with <see cref="HashSecret"/> and a fixed-time compare.
/// </remarks>
internal sealed class ServiceClientStore(TenantDb db)
{
    /// <summary>Active (not revoked) service clients one tenant may have.</summary>
    public const int MaxActivePerTenant = 100;

    public const string ClientIdPrefix = "svc_";

    private const string LockScope = "smcp.oauth-service-clients";
    private const int SecretBytes = 32;

    private const string Columns =
        "client_id AS ClientId, client_name AS Name, grant_types AS GrantTypes, auth_method AS AuthMethod, created_at AS CreatedAt, revoked_at AS RevokedAt";

    /// <summary>A new client id (<c>svc_</c> and 16 random bytes, base64url) and secret.</summary>
    public static (string ClientId, string Secret) NewCredentials() =>
        (ClientIdPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)), Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes)));

    public static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>
    /// Adds a service client; <see cref="StoreOutcome.QuotaExceeded"/> when the tenant already has
    /// <see cref="MaxActivePerTenant"/> active ones, <see cref="StoreOutcome.Conflict"/> on a client id taken.
    /// </summary>
    /// <remarks>The count and the insert happen under one per-tenant lock, so creations at once cannot pass the cap together.</remarks>
    public async Task<StoreResult<ServiceClientRow>> CreateAsync(string tenantId, string clientId, string name, byte[] secretHash, CancellationToken cancellationToken)
    {
        if (secretHash.Length != 32)
        {
            throw new ArgumentException("A client secret hash is the 32-byte SHA-256 of the secret", nameof(secretHash));
        }

        var parameters = new
        {
            tenantId,
            clientId,
            name,
            grantTypes = new[] { OAuthNames.ClientCredentialsGrant },
            authMethod = "client_secret_basic",
            secretHash,
            scope = OAuthNames.McpScope,
        };
        try
        {
            var row = await db.RunAsync(tenantId, async (connection, transaction) =>
            {
                await TenantDb.LockTenantAsync(connection, transaction, LockScope, tenantId, cancellationToken);
                var active = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT count(*) FROM oauth_clients WHERE tenant_id = @tenantId AND kind = 'service' AND revoked_at IS NULL",
                    parameters, transaction, cancellationToken: cancellationToken));
                if (active >= MaxActivePerTenant)
                {
                    return null;
                }

                return await connection.QuerySingleAsync<ServiceClientRow>(new CommandDefinition(
                    $"""
                    INSERT INTO oauth_clients (tenant_id, client_id, kind, client_name, grant_types, auth_method, secret_hash, scope)
                    VALUES (@tenantId, @clientId, 'service', @name, @grantTypes, @authMethod, @secretHash, @scope)
                    RETURNING {Columns}
                    """, parameters, transaction, cancellationToken: cancellationToken));
            }, cancellationToken);
            return row is null ? StoreResult<ServiceClientRow>.Failed(StoreOutcome.QuotaExceeded) : StoreResult<ServiceClientRow>.Ok(row);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return StoreResult<ServiceClientRow>.Failed(StoreOutcome.Conflict);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return StoreResult<ServiceClientRow>.Failed(StoreOutcome.MissingReference);
        }
    }

    /// <summary>The tenant's service clients, revoked ones included, oldest first.</summary>
    public async Task<IReadOnlyList<ServiceClientRow>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        (await db.RunAsync(tenantId, (connection, transaction) => connection.QueryAsync<ServiceClientRow>(new CommandDefinition(
            $"SELECT {Columns} FROM oauth_clients WHERE tenant_id = @tenantId AND kind = 'service' ORDER BY created_at, client_id",
            new { tenantId }, transaction, cancellationToken: cancellationToken)), cancellationToken)).AsList();

    /// <summary>Revokes an active service client at once; false when there is no such active client.</summary>
    public async Task<bool> RevokeAsync(string tenantId, string clientId, CancellationToken cancellationToken) =>
        await db.RunAsync(tenantId, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "UPDATE oauth_clients SET revoked_at = now() WHERE tenant_id = @tenantId AND client_id = @clientId AND kind = 'service' AND revoked_at IS NULL",
            new { tenantId, clientId }, transaction, cancellationToken: cancellationToken)), cancellationToken) == 1;
}
