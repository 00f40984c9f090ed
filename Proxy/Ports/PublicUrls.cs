using Microsoft.AspNetCore.Http;

namespace Smcp.Proxy.Ports;

/// <summary>The URLs SMCP names itself by: one rule for the proxy (resources) and the authorization server (issuers), so the two always agree.</summary>
public static class PublicUrls
{
    /// <summary>The public base URL, no trailing slash: the configured one, else the request's own scheme, host and path base.</summary>
    public static string BaseUrl(HttpRequest request, string? publicBaseUrl) =>
        (publicBaseUrl ?? $"{request.Scheme}://{request.Host}{request.PathBase}").TrimEnd('/');

    /// <summary>An MCP endpoint's canonical URI (RFC 8707 resource, the <c>aud</c> of its tokens); segments escaped.</summary>
    public static string McpResource(string baseUrl, string tenant, string server) =>
        $"{baseUrl}/t/{Uri.EscapeDataString(tenant)}/{Uri.EscapeDataString(server)}/mcp";

    /// <summary>The built-in authorization server's issuer for a tenant.</summary>
    public static string BuiltInIssuer(string baseUrl, string tenant) => $"{baseUrl}/oauth/{Uri.EscapeDataString(tenant)}";
}
