using Smcp.Orchestrator.Config;

namespace Smcp.Orchestrator.OAuth.Tokens;

/// <summary><c>grant_type=refresh_token</c>: rotates the token (the old one is spent) and issues an access token for the same resource, the scope at most narrowed.</summary>
/// <remarks>A spent token presented again revokes its whole family, the newest token with it: one of the two presenters is not the client.</remarks>
internal sealed class RefreshTokenGrantHandler(
    RefreshTokenStore refreshTokens, AccessTokenIssuer accessTokens, ConfigMonitor config, OAuthAudit audit, ILogger<RefreshTokenGrantHandler> logger)
{
    public async Task<TokenResult> HandleAsync(OAuthIssuer issuer, OAuthClient client, OAuthForm form, CancellationToken cancellationToken)
    {
        if (form["refresh_token"] is not { } token)
        {
            return OAuthError.InvalidRequest("refresh_token is missing.");
        }

        if (token.Length > RefreshTokenStore.MaxTokenLength)
        {
            return OAuthError.InvalidGrant("The refresh token is unknown.");
        }

        string[]? narrowed = null;
        if (form["scope"] is { } scope && (narrowed = ScopeSet.Parse(scope)) is null)
        {
            return new OAuthError(OAuthNames.InvalidScope, "scope is malformed: space-separated tokens.");
        }

        var resource = form["resource"];
        OAuthError? refusal = null;
        var rotation = await refreshTokens.RotateAsync(issuer.Tenant, token, client.ClientId, grant =>
        {
            refusal = resource is not null && resource != grant.Resource
                ? new OAuthError(OAuthNames.InvalidTarget, "resource is not the one the refresh token was issued for.")
                : narrowed is not null && !ScopeSet.IsWithin(narrowed, grant.Scope)
                    ? new OAuthError(OAuthNames.InvalidScope, "scope may only narrow the scope of the original grant.")
                    : null;
            return refusal is null;
        }, config.Current.OAuth.RefreshTokenLifetime, cancellationToken);

        switch (rotation.Outcome)
        {
            case RefreshOutcome.NotAccepted:
                return refusal!;
            case RefreshOutcome.Reused:
                OAuthLog.RefreshTokenReused(logger, issuer.Tenant, rotation.Grant!.FamilyId);
                await audit.RecordAsync(issuer.Tenant, rotation.Grant.Subject, OAuthAudit.RefreshTokenReused, rotation.Grant.ClientId, "denied");
                return OAuthError.InvalidGrant("The refresh token was used before; every token of its grant is revoked. Authorize again.");
            case RefreshOutcome.Revoked:
                return OAuthError.InvalidGrant("The refresh token was revoked, or its user was disabled. Authorize again.");
            case RefreshOutcome.Expired:
                return OAuthError.InvalidGrant("The refresh token expired. Authorize again.");
            case RefreshOutcome.WrongClient:
                return OAuthError.InvalidGrant("The refresh token was issued to another client.");
            case RefreshOutcome.Unknown:
                return OAuthError.InvalidGrant("The refresh token is unknown.");
        }

        var grant = rotation.Grant!;
        var granted = narrowed is null ? grant.Scope : string.Join(' ', narrowed.Distinct(StringComparer.Ordinal));
        var access = await accessTokens.IssueAsync(
            new AccessTokenClaims(issuer.Issuer, issuer.Tenant, grant.Subject, client.ClientId, grant.Resource, granted), cancellationToken);
        return new TokenResult(new TokenResponse(access.Token, "Bearer", access.ExpiresIn, granted) { RefreshToken = rotation.Token }, null) { Subject = grant.Subject };
    }
}
