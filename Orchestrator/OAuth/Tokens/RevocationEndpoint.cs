using Smcp.Orchestrator.OAuth.Clients;
using Smcp.Proxy.Limits;

namespace Smcp.Orchestrator.OAuth.Tokens;

/// <summary><c>POST {issuer}/revoke</c> (RFC 7009): a refresh token revokes its whole family; any other token gets 200 and nothing changes.</summary>
/// <remarks>
/// Access tokens are self-contained JWTs checked without a database lookup per message, so they cannot be revoked one by one:
/// they stay valid until they expire (<c>oauth.accessTokenLifetime</c>). A token of another client, or none known, is answered
/// 200 as well (RFC 7009 section 2.2), so the answer does not tell whether a guessed token exists.
/// </remarks>
internal sealed class RevocationEndpoint(OAuthIssuers issuers, PreAuthLimiter preAuth, ClientAuthenticator clients, RefreshTokenStore refreshTokens)
{
    public async Task<IResult> PostAsync(HttpContext context, string tenant)
    {
        var cancellationToken = context.RequestAborted;
        var (_, form, error) = await TokenEndpoint.OpenAsync(context, tenant, issuers, preAuth);
        if (error is not null)
        {
            return error.ToResult();
        }

        var authentication = await clients.AuthenticateAsync(tenant, context.Request, form!, cancellationToken);
        if (authentication.Client is not { } client)
        {
            return authentication.Error!.ToResult();
        }

        if (form!["token"] is not { } token)
        {
            return OAuthError.InvalidRequest("token is missing.").ToResult();
        }

        if (token.Length <= RefreshTokenStore.MaxTokenLength && !token.Contains('.', StringComparison.Ordinal))
        {
            await refreshTokens.RevokeAsync(tenant, token, client.ClientId, cancellationToken);
        }

        context.Response.Headers.CacheControl = "no-store";
        return Results.Ok();
    }
}
