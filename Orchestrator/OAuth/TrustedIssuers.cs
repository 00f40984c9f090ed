using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.OAuth;

/// <summary>Every issuer the proxy trusts: each active tenant's built-in issuer, then smcp.yaml's external ones.</summary>
/// <remarks>The built-in issuer is asked first and is named first in the protected resource metadata: it is the preferred authorization server.</remarks>
internal sealed class TrustedIssuers(BuiltInIssuers builtIn, ConfiguredIssuers configured) : ITokenIssuers
{
    public TrustedIssuer? Find(string issuer, string tenant, string baseUrl) =>
        builtIn.Find(issuer, tenant, baseUrl) ?? configured.Find(issuer, tenant, baseUrl);

    public IReadOnlyList<string> AuthorizationServers(string tenant, string baseUrl) =>
        [.. builtIn.AuthorizationServers(tenant, baseUrl), .. configured.AuthorizationServers(tenant, baseUrl)];

    public IReadOnlyList<string> SharedAuthorizationServers(string baseUrl) => configured.SharedAuthorizationServers(baseUrl);
}
