namespace Smcp.Orchestrator.OAuth.Tokens;

/// <summary><c>grant_type=client_credentials</c>: a service client (made by a tenant admin) gets an access token for one of the tenant's MCP endpoints; no refresh token.</summary>
internal sealed class ClientCredentialsGrantHandler(AccessTokenIssuer accessTokens)
{
    public async Task<TokenResult> HandleAsync(OAuthIssuer issuer, OAuthClient client, OAuthForm form, CancellationToken cancellationToken)
    {
        if (client.Kind != OAuthClientKind.Service)
        {
            return new OAuthError(OAuthNames.UnauthorizedClient, "Only service clients, made by a tenant admin, may use client_credentials.");
        }

        if (form["resource"] is not { } resource)
        {
            return OAuthError.InvalidRequest("resource is missing: name the MCP endpoint the token is for (RFC 8707), e.g. {base}/t/{tenant}/{server}/mcp.");
        }

        if (!McpResources.IsTenantResource(resource, issuer))
        {
            return new OAuthError(OAuthNames.InvalidTarget, "resource is not an MCP endpoint of this tenant: {base}/t/{tenant}/{server}/mcp.");
        }

        var scope = client.Scope;
        if (form["scope"] is { } requested)
        {
            if (ScopeSet.Parse(requested) is not { } tokens || !ScopeSet.IsWithin(tokens, client.Scope))
            {
                return new OAuthError(OAuthNames.InvalidScope, $"scope must be within the client's scope '{client.Scope}'.");
            }

            scope = string.Join(' ', tokens.Distinct(StringComparer.Ordinal));
        }

        var subject = $"client:{client.ClientId}";
        var access = await accessTokens.IssueAsync(new AccessTokenClaims(issuer.Issuer, issuer.Tenant, subject, client.ClientId, resource, scope), cancellationToken);
        return new TokenResult(new TokenResponse(access.Token, "Bearer", access.ExpiresIn, scope), null) { Subject = subject };
    }
}
