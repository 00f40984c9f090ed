using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.OAuth;

/// <summary>What a signed-in user approved for a client: the code stands for it until redeemed.</summary>
internal sealed record AuthorizationGrant
{
    public required string ClientId { get; init; }
    public required Guid UserId { get; init; }
    public required string RedirectUri { get; init; }

    /// <summary>BASE64URL(SHA-256(code_verifier)); only S256 is accepted.</summary>
    public required string CodeChallenge { get; init; }

    /// <summary>The MCP endpoint (RFC 8707) the tokens will be bound to.</summary>
    public required string Resource { get; init; }

    public required string Scope { get; init; }

    /// <summary>The refresh-token family the code's tokens start; revoked when the code is redeemed twice.</summary>
    public Guid FamilyId { get; init; }
}

/// <summary>What redeeming a code found.</summary>
internal enum CodeRedemptionOutcome
{
    Redeemed,

    /// <summary>No such code for this tenant, it expired, or its user was disabled since the consent.</summary>
    Unknown,

    /// <summary>Redeemed before: the caller revokes <see cref="CodeRedemption.Grant"/>'s family.</summary>
    Reused,
}

internal sealed record CodeRedemption(CodeRedemptionOutcome Outcome, AuthorizationGrant? Grant);

/// <summary>Authorization codes: 32 random bytes in base64url, stored as their SHA-256, redeemable once.</summary>
internal sealed class AuthorizationCodeStore(TenantDb db, TimeProvider time)
{
    /// <summary>Stores the grant and returns the code to send to the client (the only time it exists in the clear).</summary>
    public async Task<string> CreateAsync(string tenantId, AuthorizationGrant grant, TimeSpan lifetime, CancellationToken ct)
    {
        var code = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var expiresAt = time.GetUtcNow() + lifetime;
        await db.RunAsync(tenantId, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO oauth_codes (tenant_id, code_hash, client_id, user_id, redirect_uri, code_challenge, resource, scope, expires_at)
            VALUES (@tenantId, @hash, @ClientId, @UserId, @RedirectUri, @CodeChallenge, @Resource, @Scope, @expiresAt)
            """,
            new { tenantId, hash = Hash(code), grant.ClientId, grant.UserId, grant.RedirectUri, grant.CodeChallenge, grant.Resource, grant.Scope, expiresAt },
            transaction, cancellationToken: ct)), ct);
        return code;
    }

    /// <summary>Marks the code used and returns its grant; a second redemption of the same code is <see cref="CodeRedemptionOutcome.Reused"/>.</summary>
    public async Task<CodeRedemption> RedeemAsync(string tenantId, string code, CancellationToken ct)
    {
        var hash = Hash(code);
        var now = time.GetUtcNow();
        return await db.RunAsync(tenantId, async (connection, transaction) =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<CodeRow>(new CommandDefinition(
                """
                SELECT c.client_id AS ClientId, c.user_id AS UserId, c.redirect_uri AS RedirectUri, c.code_challenge AS CodeChallenge,
                       c.resource AS Resource, c.scope AS Scope, c.family_id AS FamilyId, c.expires_at AS ExpiresAt, c.used_at AS UsedAt,
                       EXISTS (SELECT 1 FROM oauth_users u WHERE u.tenant_id = c.tenant_id AND u.id = c.user_id AND u.disabled_at IS NOT NULL) AS UserDisabled
                FROM oauth_codes c WHERE c.tenant_id = @tenantId AND c.code_hash = @hash FOR UPDATE OF c
                """, new { tenantId, hash }, transaction, cancellationToken: ct));
            if (row is null)
            {
                return new CodeRedemption(CodeRedemptionOutcome.Unknown, null);
            }

            var grant = new AuthorizationGrant
            {
                ClientId = row.ClientId, UserId = row.UserId, RedirectUri = row.RedirectUri, CodeChallenge = row.CodeChallenge,
                Resource = row.Resource, Scope = row.Scope, FamilyId = row.FamilyId,
            };
            if (row.UsedAt is not null)
            {
                return new CodeRedemption(CodeRedemptionOutcome.Reused, grant);
            }

            if (row.ExpiresAt <= now || row.UserDisabled)
            {
                return new CodeRedemption(CodeRedemptionOutcome.Unknown, null);
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE oauth_codes SET used_at = @now WHERE tenant_id = @tenantId AND code_hash = @hash",
                new { tenantId, hash, now }, transaction, cancellationToken: ct));
            return new CodeRedemption(CodeRedemptionOutcome.Redeemed, grant);
        }, ct);
    }

    private static byte[] Hash(string code) => SHA256.HashData(Encoding.UTF8.GetBytes(code));

    private sealed record CodeRow
    {
        public required string ClientId { get; init; }
        public Guid UserId { get; init; }
        public required string RedirectUri { get; init; }
        public required string CodeChallenge { get; init; }
        public required string Resource { get; init; }
        public required string Scope { get; init; }
        public Guid FamilyId { get; init; }
        public DateTimeOffset ExpiresAt { get; init; }
        public DateTimeOffset? UsedAt { get; init; }
        public bool UserDisabled { get; init; }
    }
}
