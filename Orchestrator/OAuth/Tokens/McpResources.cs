using Smcp.Orchestrator.Auth;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.OAuth.Tokens;

/// <summary>Which <c>resource</c> values (RFC 8707) a tenant's issuer makes tokens for: its own MCP endpoints.</summary>
internal static class McpResources
{
    /// <summary>Whether <paramref name="resource"/> is <c>{base}/t/{tenant}/{server}/mcp</c> for a well-formed server name (deployed or not).</summary>
    public static bool IsTenantResource(string resource, OAuthIssuer issuer)
    {
        var prefix = $"{issuer.BaseUrl}/t/{issuer.Tenant}/";
        if (!resource.StartsWith(prefix, StringComparison.Ordinal) || !resource.EndsWith("/mcp", StringComparison.Ordinal) || resource.Length <= prefix.Length + 4)
        {
            return false;
        }

        var server = resource[prefix.Length..^4];
        return TenantId.IsValid(server) && PublicUrls.McpResource(issuer.BaseUrl, issuer.Tenant, server) == resource;
    }
}
