namespace Smcp.Orchestrator.OAuth;

/// <summary>The protocol's names, each written once: grants, errors, scopes, claims and the endpoints' paths.</summary>
internal static class OAuthNames
{
    /// <summary>The scope that lets a token use a tenant's MCP servers (role tenant-user).</summary>
    public const string McpScope = "mcp";

    /// <summary>Asked for by OIDC-minded clients to get a refresh token; accepted and ignored (a refresh token comes with every code grant).</summary>
    public const string OfflineAccessScope = "offline_access";

    public const string AuthorizationCodeGrant = "authorization_code";
    public const string RefreshTokenGrant = "refresh_token";
    public const string ClientCredentialsGrant = "client_credentials";

    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string UnauthorizedClient = "unauthorized_client";
    public const string UnsupportedGrantType = "unsupported_grant_type";
    public const string UnsupportedResponseType = "unsupported_response_type";
    public const string InvalidScope = "invalid_scope";
    public const string InvalidTarget = "invalid_target";
    public const string AccessDenied = "access_denied";
    public const string InvalidRedirectUri = "invalid_redirect_uri";
    public const string InvalidClientMetadata = "invalid_client_metadata";

    /// <summary>The access token's <c>typ</c> header (RFC 9068).</summary>
    public const string AccessTokenType = "at+jwt";

    /// <summary>The claim that names the tenant in the built-in issuer's tokens.</summary>
    public const string TenantClaim = "smcp_tenant";

    /// <summary>The JWKS of every built-in issuer (one key set for the installation).</summary>
    public const string JwksPath = "/oauth/jwks";

    /// <summary>Under the issuer <c>{base}/oauth/{tenant}</c>.</summary>
    public const string AuthorizePath = "/authorize";
    public const string TokenPath = "/token";
    public const string RegisterPath = "/register";
    public const string RevokePath = "/revoke";
    public const string ConsentPath = "/consent";

    /// <summary>The sign-in page's "sign in with" form posts here; the tenant's upstream provider returns to <see cref="UpstreamCallbackPath"/>.</summary>
    public const string UpstreamPath = "/upstream";
    public const string UpstreamCallbackPath = "/upstream/callback";
}
