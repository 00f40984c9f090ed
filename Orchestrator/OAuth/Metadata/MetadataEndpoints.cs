using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.OAuth.Keys;

namespace Smcp.Orchestrator.OAuth.Metadata;

/// <summary>The documents clients discover the authorization server by: each tenant issuer's metadata, and the installation's key set.</summary>
internal sealed class MetadataEndpoints(OAuthIssuers issuers, SigningKeyRing keys, ConfigMonitor config)
{
    private const string Cacheable = "public, max-age=300";

    /// <summary>The paths of a tenant issuer's metadata: RFC 8414's, OIDC discovery with the well-known part inserted, and appended.</summary>
    public static readonly string[] Paths =
    [
        "/.well-known/oauth-authorization-server/oauth/{tenant}",
        "/.well-known/openid-configuration/oauth/{tenant}",
        "/oauth/{tenant}/.well-known/openid-configuration",
    ];

    public IResult Metadata(HttpContext context, string tenant)
    {
        if (issuers.Find(context.Request, tenant) is not { } issuer)
        {
            return OAuthError.NoSuchIssuer(tenant).ToResult();
        }

        var document = new AuthorizationServerMetadata
        {
            Issuer = issuer.Issuer,
            AuthorizationEndpoint = issuer.Issuer + OAuthNames.AuthorizePath,
            TokenEndpoint = issuer.Issuer + OAuthNames.TokenPath,
            RegistrationEndpoint = issuer.Issuer + OAuthNames.RegisterPath,
            RevocationEndpoint = issuer.Issuer + OAuthNames.RevokePath,
            JwksUri = issuer.BaseUrl + OAuthNames.JwksPath,
            ClientIdMetadataDocumentSupported = config.Current.OAuth.ClientMetadataDocuments.Enabled,
        };
        return new OAuthJsonResult<AuthorizationServerMetadata>(document, OAuthJsonContext.Default.AuthorizationServerMetadata) { CacheControl = Cacheable };
    }

    public async Task<IResult> JwksAsync(HttpContext context)
    {
        var set = await keys.KeysAsync(context.RequestAborted);
        context.Response.Headers.CacheControl = Cacheable;
        return Results.Text(set.Jwks, "application/json");
    }
}
