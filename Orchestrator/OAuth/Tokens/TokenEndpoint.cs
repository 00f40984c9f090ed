using Smcp.Orchestrator.OAuth.Clients;
using Smcp.Proxy.Limits;

namespace Smcp.Orchestrator.OAuth.Tokens;

/// <summary><c>POST {issuer}/token</c> (RFC 6749 section 3.2): form-encoded, the client authenticated, then the grant's own handler.</summary>
/// <remarks>Every request may reach the database, so each first takes a token from the caller's pre-authentication budget (shared with MCP and the API).</remarks>
internal sealed class TokenEndpoint(
    OAuthIssuers issuers, PreAuthLimiter preAuth, ClientAuthenticator clients, OAuthAudit audit,
    AuthorizationCodeGrantHandler codes, RefreshTokenGrantHandler refreshes, ClientCredentialsGrantHandler services)
{
    public async Task<IResult> PostAsync(HttpContext context, string tenant)
    {
        var cancellationToken = context.RequestAborted;
        var (issuer, form, error) = await OpenAsync(context, tenant, issuers, preAuth);
        if (error is not null)
        {
            return error.ToResult();
        }

        var grantType = form!["grant_type"];
        if (grantType is null)
        {
            return OAuthError.InvalidRequest("grant_type is missing.").ToResult();
        }

        if (grantType is not (OAuthNames.AuthorizationCodeGrant or OAuthNames.RefreshTokenGrant or OAuthNames.ClientCredentialsGrant))
        {
            return new OAuthError(OAuthNames.UnsupportedGrantType, "grant_type must be authorization_code, refresh_token or client_credentials.").ToResult();
        }

        var authentication = await clients.AuthenticateAsync(tenant, context.Request, form, cancellationToken);
        if (authentication.Client is not { } client)
        {
            return authentication.Error!.ToResult();
        }

        if (!client.GrantTypes.Contains(grantType))
        {
            return new OAuthError(OAuthNames.UnauthorizedClient, $"This client may not use grant_type {grantType}.").ToResult();
        }

        var result = grantType switch
        {
            OAuthNames.AuthorizationCodeGrant => await codes.HandleAsync(issuer!, client, form, cancellationToken),
            OAuthNames.RefreshTokenGrant => await refreshes.HandleAsync(issuer!, client, form, cancellationToken),
            _ => await services.HandleAsync(issuer!, client, form, cancellationToken),
        };
        if (result.Response is not { } response)
        {
            return result.Error!.ToResult();
        }

        await audit.RecordAsync(tenant, result.Subject, OAuthAudit.TokenIssued, client.ClientId, "ok");
        return new OAuthJsonResult<TokenResponse>(response, OAuthJsonContext.Default.TokenResponse);
    }

    /// <summary>What <c>/token</c> and <c>/revoke</c> check first: the tenant's issuer, the caller's budget, the form.</summary>
    public static async Task<(OAuthIssuer? Issuer, OAuthForm? Form, OAuthError? Error)> OpenAsync(
        HttpContext context, string tenant, OAuthIssuers issuers, PreAuthLimiter preAuth)
    {
        if (issuers.Find(context.Request, tenant) is not { } issuer)
        {
            return (null, null, OAuthError.NoSuchIssuer(tenant));
        }

        if (preAuth.TryAcquire(context.Connection.RemoteIpAddress) is { } wait)
        {
            return (null, null, new OAuthError("temporarily_unavailable", "Too many requests from this address (or from everyone at once); retry after Retry-After seconds.",
                StatusCodes.Status429TooManyRequests) { RetryAfter = wait });
        }

        var (form, error) = await OAuthForm.ReadAsync(context.Request, context.RequestAborted);
        return (issuer, form, error);
    }
}
