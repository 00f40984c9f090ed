using Microsoft.Extensions.Options;
using Smcp.Orchestrator.Config;
using Smcp.Proxy;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.OAuth.Pages;

/// <summary>Which tenants have a built-in issuer now, and the URLs the pages name themselves by.</summary>
internal sealed class OAuthPageSite(ConfigMonitor config, IOptions<ProxyOptions> proxy)
{
    /// <summary>Whether the tenant is in smcp.yaml, active, and the built-in issuer is on.</summary>
    public bool IsServed(string tenant) =>
        config.Current is { OAuth.BuiltIn: true } current && current.FindTenant(tenant) is { Status: TenantStatus.Active };

    /// <summary>How the tenant's people sign in; the defaults (passwords only) for a tenant not in smcp.yaml.</summary>
    public SignInConfig SignIn(string tenant) => config.Current.FindTenant(tenant)?.SignIn ?? SignInConfig.Default;

    public string BaseUrl(HttpRequest request) => PublicUrls.BaseUrl(request, proxy.Value.PublicBaseUrl);

    public string Issuer(HttpRequest request, string tenant) => PublicUrls.BuiltInIssuer(BaseUrl(request), tenant);

    /// <summary>An absolute path (no scheme or host) to one of the tenant's issuer endpoints, under the public base URL's own path.</summary>
    public string FormAction(HttpRequest request, string tenant, string endpoint) =>
        new Uri(Issuer(request, tenant)).AbsolutePath + endpoint;
}
