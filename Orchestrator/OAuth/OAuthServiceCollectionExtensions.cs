using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Smcp.Orchestrator.OAuth.Clients;
using Smcp.Orchestrator.OAuth.Keys;
using Smcp.Orchestrator.OAuth.Metadata;
using Smcp.Orchestrator.OAuth.Tokens;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.OAuth;

internal static class OAuthServiceCollectionExtensions
{
    /// <summary>Adds the built-in authorization server's key and token side: the signing key ring (a hosted service and the built-in issuers' key source), clients, tokens, endpoints.</summary>
    /// <remarks>Needs the data layer, the config monitor, the master key, the client metadata documents (<c>AddSmcpClientMetadataDocuments</c>) and the proxy's options and pre-authentication budget.</remarks>
    public static IServiceCollection AddSmcpOAuth(this IServiceCollection services, Action<OAuthServerOptions>? configure = null)
    {
        var options = services.AddOptions<OAuthServerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OAuthServerOptions>, OAuthServerOptionsValidator>());
        options.ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SigningKeySeal>();
        services.TryAddSingleton<SigningKeyStore>();
        services.TryAddSingleton<SigningKeyRing>();
        services.AddHostedService(sp => sp.GetRequiredService<SigningKeyRing>());
        services.TryAddSingleton<IJsonWebKeySource>(sp => sp.GetRequiredService<SigningKeyRing>());
        services.TryAddSingleton<BuiltInIssuers>();
        services.TryAddSingleton<OAuthIssuers>();
        services.TryAddSingleton<OAuthAudit>();
        services.TryAddSingleton<ClientDirectory>();
        services.TryAddSingleton<ClientStore>();
        services.TryAddSingleton<ClientAuthenticator>();
        services.TryAddSingleton<RegistrationLimiter>();
        services.TryAddSingleton<AuthorizationCodeStore>();
        services.TryAddSingleton<RefreshTokenStore>();
        services.TryAddSingleton<AccessTokenIssuer>();
        services.TryAddSingleton<AuthorizationCodeGrantHandler>();
        services.TryAddSingleton<RefreshTokenGrantHandler>();
        services.TryAddSingleton<ClientCredentialsGrantHandler>();
        services.TryAddSingleton<TokenEndpoint>();
        services.TryAddSingleton<RevocationEndpoint>();
        services.TryAddSingleton<RegistrationEndpoint>();
        services.TryAddSingleton<MetadataEndpoints>();
        return services;
    }

    /// <summary>Maps <c>/oauth/jwks</c>, every tenant issuer's metadata (RFC 8414 and OIDC discovery), and its <c>/token</c>, <c>/register</c> and <c>/revoke</c>.</summary>
    /// <remarks><c>/authorize</c> and <c>/consent</c> are the sign-in pages' (<c>MapSmcpOAuthPages</c>).</remarks>
    public static IEndpointRouteBuilder MapSmcpOAuth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(OAuthNames.JwksPath, (HttpContext c, MetadataEndpoints m) => m.JwksAsync(c)).AddEndpointFilter(OAuthCors.Filter).ExcludeFromDescription();
        foreach (var path in MetadataEndpoints.Paths)
        {
            endpoints.MapGet(path, (HttpContext c, string tenant, MetadataEndpoints m) => m.Metadata(c, tenant)).AddEndpointFilter(OAuthCors.Filter).ExcludeFromDescription();
        }

        var issuer = endpoints.MapGroup("/oauth/{tenant}").AddEndpointFilter(OAuthCors.Filter).ExcludeFromDescription();
        issuer.MapPost(OAuthNames.TokenPath, (HttpContext c, string tenant, TokenEndpoint e) => e.PostAsync(c, tenant));
        issuer.MapPost(OAuthNames.RegisterPath, (HttpContext c, string tenant, RegistrationEndpoint e) => e.PostAsync(c, tenant));
        issuer.MapPost(OAuthNames.RevokePath, (HttpContext c, string tenant, RevocationEndpoint e) => e.PostAsync(c, tenant));
        foreach (var path in new[] { OAuthNames.TokenPath, OAuthNames.RegisterPath, OAuthNames.RevokePath })
        {
            issuer.MapMethods(path, [HttpMethods.Options], OAuthCors.Preflight);
        }

        return endpoints;
    }
}
