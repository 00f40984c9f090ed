using Smcp.Orchestrator.Auth;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.OAuth.Keys;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.OAuth;

/// <summary>The built-in issuer of each active tenant, <c>{base}/oauth/{tenant}</c>, for the proxy to check tokens against.</summary>
/// <remarks>Answered from the live smcp.yaml and the in-memory key ring: no database round trip per request.</remarks>
internal sealed class BuiltInIssuers(ConfigMonitor config, SigningKeyRing keys) : ITokenIssuers
{
    private static readonly IReadOnlyDictionary<string, SmcpRole> Scopes =
        new Dictionary<string, SmcpRole>(StringComparer.Ordinal) { [OAuthNames.McpScope] = SmcpRole.TenantUser };

    /// <summary>Whether the built-in server is on and <paramref name="tenant"/> is a tenant of the file that is active.</summary>
    public static bool Serves(SmcpConfig config, string tenant) =>
        config.OAuth.BuiltIn && TenantId.IsValid(tenant) && config.FindTenant(tenant) is { Status: TenantStatus.Active };

    public TrustedIssuer? Find(string issuer, string tenant, string baseUrl) =>
        Serves(config.Current, tenant) && issuer == PublicUrls.BuiltInIssuer(baseUrl, tenant)
            ? new TrustedIssuer(issuer, keys) { TenantClaim = OAuthNames.TenantClaim, Scopes = Scopes }
            : null;

    public IReadOnlyList<string> AuthorizationServers(string tenant, string baseUrl) =>
        Serves(config.Current, tenant) ? [PublicUrls.BuiltInIssuer(baseUrl, tenant)] : [];
}
