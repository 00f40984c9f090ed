using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.OAuth.Tokens;

/// <summary>What a refresh token stands for; every token of one authorization shares its <see cref="FamilyId"/>.</summary>
internal sealed record RefreshTokenGrant(Guid FamilyId, string ClientId, string Subject, string Resource, string Scope);

internal enum RefreshOutcome
{
    Rotated,

    /// <summary>No such token at this tenant's issuer.</summary>
    Unknown,
    Expired,

    /// <summary>Its family was revoked (a reuse, a reused code, or <c>/revoke</c>), or the user it is for was disabled.</summary>
    Revoked,

    /// <summary>Issued to another client.</summary>
    WrongClient,

    /// <summary>Used before: its family is revoked now.</summary>
    Reused,

    /// <summary>The request's own checks (resource, scope) refused it; the token is left as it was.</summary>
    NotAccepted,
}

/// <param name="Token">The new refresh token, when <see cref="Outcome"/> is <see cref="RefreshOutcome.Rotated"/>.</param>
internal sealed record RefreshRotation(RefreshOutcome Outcome, RefreshTokenGrant? Grant = null, string? Token = null);

/// <summary>Refresh tokens: 32 random bytes in base64url, kept as their SHA-256, rotated on every use; a used one presented again revokes its family.</summary>
internal sealed class RefreshTokenStore(TenantDb db, TimeProvider time)
{
    /// <summary>Longer than any token this store makes; longer input is not looked up.</summary>
    public const int MaxTokenLength = 128;

    public Task<string> CreateAsync(string tenantId, RefreshTokenGrant grant, TimeSpan lifetime, CancellationToken cancellationToken) =>
        db.RunAsync(tenantId, (connection, transaction) => InsertAsync(connection, transaction, tenantId, grant, lifetime, cancellationToken), cancellationToken);

    /// <summary>Marks the token used and issues its successor in the same family, if the token is valid for this client and <paramref name="accepts"/> its grant.</summary>
    public Task<RefreshRotation> RotateAsync(
        string tenantId, string token, string clientId, Func<RefreshTokenGrant, bool> accepts, TimeSpan lifetime, CancellationToken cancellationToken) =>
        db.RunAsync(tenantId, async (connection, transaction) =>
        {
            var hash = Hash(token);
            var row = await connection.QuerySingleOrDefaultAsync<TokenRow>(new CommandDefinition(
                """
                SELECT t.family_id AS FamilyId, t.client_id AS ClientId, t.subject AS Subject, t.resource AS Resource, t.scope AS Scope,
                       t.expires_at AS ExpiresAt, t.used_at AS UsedAt,
                       EXISTS (SELECT 1 FROM oauth_revoked_families f WHERE f.tenant_id = t.tenant_id AND f.family_id = t.family_id)
                       OR EXISTS (SELECT 1 FROM oauth_users u WHERE u.tenant_id = t.tenant_id AND 'user:' || u.id = t.subject AND u.disabled_at IS NOT NULL) AS Revoked
                FROM oauth_refresh_tokens t WHERE t.tenant_id = @tenantId AND t.token_hash = @hash FOR UPDATE OF t
                """, new { tenantId, hash }, transaction, cancellationToken: cancellationToken));
            if (row is null)
            {
                return new RefreshRotation(RefreshOutcome.Unknown);
            }

            var grant = new RefreshTokenGrant(row.FamilyId, row.ClientId, row.Subject, row.Resource, row.Scope);
            var now = time.GetUtcNow();
            if (row.Revoked)
            {
                return new RefreshRotation(RefreshOutcome.Revoked, grant);
            }

            if (row.ClientId != clientId)
            {
                return new RefreshRotation(RefreshOutcome.WrongClient, grant);
            }

            if (row.UsedAt is not null)
            {
                await RevokeFamilyAsync(connection, transaction, tenantId, row.FamilyId, "refresh token reused", cancellationToken);
                return new RefreshRotation(RefreshOutcome.Reused, grant);
            }

            if (row.ExpiresAt <= now)
            {
                return new RefreshRotation(RefreshOutcome.Expired, grant);
            }

            if (!accepts(grant))
            {
                return new RefreshRotation(RefreshOutcome.NotAccepted, grant);
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE oauth_refresh_tokens SET used_at = @now WHERE tenant_id = @tenantId AND token_hash = @hash",
                new { tenantId, hash, now }, transaction, cancellationToken: cancellationToken));
            var next = await InsertAsync(connection, transaction, tenantId, grant, lifetime, cancellationToken);
            return new RefreshRotation(RefreshOutcome.Rotated, grant, next);
        }, cancellationToken);

    /// <summary>Revokes every refresh token of a family, issued or yet to be issued.</summary>
    public Task RevokeFamilyAsync(string tenantId, Guid familyId, string reason, CancellationToken cancellationToken) =>
        db.RunAsync(tenantId, (connection, transaction) => RevokeFamilyAsync(connection, transaction, tenantId, familyId, reason, cancellationToken), cancellationToken);

    /// <summary>Revokes the family of <paramref name="token"/> if it was issued to <paramref name="clientId"/>; whether it did.</summary>
    public Task<bool> RevokeAsync(string tenantId, string token, string clientId, CancellationToken cancellationToken) =>
        db.RunAsync(tenantId, async (connection, transaction) =>
        {
            var family = await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
                "SELECT family_id FROM oauth_refresh_tokens WHERE tenant_id = @tenantId AND token_hash = @hash AND client_id = @clientId",
                new { tenantId, hash = Hash(token), clientId }, transaction, cancellationToken: cancellationToken));
            if (family is not { } id)
            {
                return false;
            }

            await RevokeFamilyAsync(connection, transaction, tenantId, id, "revoked by the client", cancellationToken);
            return true;
        }, cancellationToken);

    private async Task<string> InsertAsync(
        Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlTransaction transaction, string tenantId, RefreshTokenGrant grant, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO oauth_refresh_tokens (tenant_id, token_hash, family_id, client_id, subject, resource, scope, created_at, expires_at)
            VALUES (@tenantId, @hash, @FamilyId, @ClientId, @Subject, @Resource, @Scope, @now, @expiresAt)
            """,
            new { tenantId, hash = Hash(token), grant.FamilyId, grant.ClientId, grant.Subject, grant.Resource, grant.Scope, now = time.GetUtcNow(), expiresAt = time.GetUtcNow() + lifetime },
            transaction, cancellationToken: cancellationToken));
        return token;
    }

    private static Task RevokeFamilyAsync(
        Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlTransaction transaction, string tenantId, Guid familyId, string reason, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO oauth_revoked_families (tenant_id, family_id, reason) VALUES (@tenantId, @familyId, @reason) ON CONFLICT DO NOTHING",
            new { tenantId, familyId, reason }, transaction, cancellationToken: cancellationToken));

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private sealed record TokenRow
    {
        public Guid FamilyId { get; init; }
        public required string ClientId { get; init; }
        public required string Subject { get; init; }
        public required string Resource { get; init; }
        public required string Scope { get; init; }
        public DateTimeOffset ExpiresAt { get; init; }
        public DateTimeOffset? UsedAt { get; init; }
        public bool Revoked { get; init; }
    }
}
