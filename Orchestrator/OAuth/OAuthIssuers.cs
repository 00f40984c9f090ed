using Microsoft.Extensions.Options;
using Smcp.Orchestrator.Config;
using Smcp.Proxy;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.OAuth;

/// <summary>Finds the issuer of the tenant in a request's path: only for an active tenant of smcp.yaml while the built-in server is on.</summary>
internal sealed class OAuthIssuers(ConfigMonitor config, IOptions<ProxyOptions> proxy)
{
    public OAuthIssuer? Find(HttpRequest request, string tenant)
    {
        if (!BuiltInIssuers.Serves(config.Current, tenant))
        {
            return null;
        }

        var baseUrl = PublicUrls.BaseUrl(request, proxy.Value.PublicBaseUrl);
        return new OAuthIssuer(tenant, baseUrl, PublicUrls.BuiltInIssuer(baseUrl, tenant));
    }
}
