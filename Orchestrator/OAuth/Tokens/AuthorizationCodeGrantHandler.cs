using Smcp.Orchestrator.Config;

namespace Smcp.Orchestrator.OAuth.Tokens;

/// <summary><c>grant_type=authorization_code</c>: redeems a code once, for the client it was issued to, with its exact redirect URI and its PKCE verifier.</summary>
/// <remarks>
/// The request is checked for form before the code is spent; once spent, any mismatch burns it. A code redeemed a second time
/// revokes the refresh-token family the first redemption started (RFC 6749 section 4.1.2); the access token it gave lives out its lifetime.
/// </remarks>
internal sealed class AuthorizationCodeGrantHandler(
    AuthorizationCodeStore codes, RefreshTokenStore refreshTokens, AccessTokenIssuer accessTokens, ConfigMonitor config, OAuthAudit audit,
    ILogger<AuthorizationCodeGrantHandler> logger)
{
    private const int MaxCodeLength = 128;

    public async Task<TokenResult> HandleAsync(OAuthIssuer issuer, OAuthClient client, OAuthForm form, CancellationToken cancellationToken)
    {
        if (form["code"] is not { } code)
        {
            return OAuthError.InvalidRequest("code is missing.");
        }

        if (form["redirect_uri"] is not { } redirectUri)
        {
            return OAuthError.InvalidRequest("redirect_uri is missing: send the one of the authorization request.");
        }

        if (form["code_verifier"] is not { } verifier)
        {
            return OAuthError.InvalidRequest("code_verifier is missing: PKCE with S256 is required.");
        }

        if (!Pkce.IsWellFormedVerifier(verifier))
        {
            return OAuthError.InvalidRequest("code_verifier must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_' and '~'.");
        }

        if (code.Length > MaxCodeLength)
        {
            return OAuthError.InvalidGrant("The code is unknown or expired.");
        }

        var redemption = await codes.RedeemAsync(issuer.Tenant, code, cancellationToken);
        if (redemption.Outcome == CodeRedemptionOutcome.Reused)
        {
            await refreshTokens.RevokeFamilyAsync(issuer.Tenant, redemption.Grant!.FamilyId, "authorization code reused", cancellationToken);
            OAuthLog.CodeReused(logger, issuer.Tenant, redemption.Grant.FamilyId);
            await audit.RecordAsync(issuer.Tenant, $"user:{redemption.Grant.UserId}", OAuthAudit.CodeReused, redemption.Grant.ClientId, "denied");
            return OAuthError.InvalidGrant("The code was redeemed before; the tokens issued for it are revoked.");
        }

        if (redemption.Grant is not { } grant)
        {
            return OAuthError.InvalidGrant("The code is unknown or expired.");
        }

        if (grant.ClientId != client.ClientId)
        {
            return OAuthError.InvalidGrant("The code was issued to another client.");
        }

        if (!string.Equals(grant.RedirectUri, redirectUri, StringComparison.Ordinal))
        {
            return OAuthError.InvalidGrant("redirect_uri is not the one of the authorization request.");
        }

        if (!Pkce.Matches(verifier, grant.CodeChallenge))
        {
            return OAuthError.InvalidGrant("code_verifier does not match the code_challenge (S256).");
        }

        if (form["resource"] is { } resource && resource != grant.Resource)
        {
            return new OAuthError(OAuthNames.InvalidTarget, "resource is not the one the code was issued for.");
        }

        var subject = $"user:{grant.UserId}";
        var access = await accessTokens.IssueAsync(
            new AccessTokenClaims(issuer.Issuer, issuer.Tenant, subject, client.ClientId, grant.Resource, grant.Scope), cancellationToken);
        var refresh = client.GrantTypes.Contains(OAuthNames.RefreshTokenGrant)
            ? await refreshTokens.CreateAsync(issuer.Tenant, new RefreshTokenGrant(grant.FamilyId, client.ClientId, subject, grant.Resource, grant.Scope),
                config.Current.OAuth.RefreshTokenLifetime, cancellationToken)
            : null;
        return new TokenResult(new TokenResponse(access.Token, "Bearer", access.ExpiresIn, grant.Scope) { RefreshToken = refresh }, null) { Subject = subject };
    }
}
