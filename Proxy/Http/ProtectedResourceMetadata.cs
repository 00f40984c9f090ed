using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Http;

/// <summary>
/// OAuth 2.0 Protected Resource Metadata (RFC 9728) for an MCP endpoint, where the 401's
/// <c>resource_metadata</c> points: the resource, the authorization servers whose tokens it accepts,
/// its one scope and how it takes a bearer credential (the header only).
/// </summary>
/// <remarks>
/// The path form (<c>/.well-known/oauth-protected-resource/t/{tenant}/{server}/mcp</c>) names the tenant's
/// built-in issuer <c>{base}/oauth/{tenant}</c> first, then the external issuers of that tenant. The root form
/// (<c>/.well-known/oauth-protected-resource</c>) describes the host as a whole: it knows no tenant, and each
/// built-in issuer only issues tokens for its own tenant, so naming one there would send clients of every
/// other tenant to the wrong server; only external issuers that serve every tenant (a tenant claim) are listed.
/// Both answer the same for every tenant and server name, deployed or not, so they tell nothing about which exist.
/// </remarks>
internal sealed class ProtectedResourceMetadata(ITokenIssuers issuers, IOptions<ProxyOptions> options)
{
    public const string PathPrefix = "/.well-known/oauth-protected-resource";

    private static readonly string[] Scopes = [RequestGuard.McpScope];

    /// <summary>Where the metadata of that resource is (RFC 9728 section 3.1: the well-known prefix before the resource's path).</summary>
    /// <remarks>The segments are escaped: they come from the URL as the client sent it and end up inside a quoted header parameter.</remarks>
    public static string MetadataUrl(HttpRequest request, string? publicBaseUrl, string tenant, string server) =>
        $"{PublicUrls.BaseUrl(request, publicBaseUrl)}{PathPrefix}{ResourcePath(tenant, server)}";

    private static string ResourcePath(string tenant, string server) =>
        $"/t/{Uri.EscapeDataString(tenant)}/{Uri.EscapeDataString(server)}/mcp";

    public Task GetAsync(HttpContext context, string tenant, string server)
    {
        var baseUrl = PublicUrls.BaseUrl(context.Request, options.Value.PublicBaseUrl);
        return WriteAsync(context, PublicUrls.McpResource(baseUrl, tenant, server), issuers.AuthorizationServers(tenant, baseUrl),
            $"SMCP MCP server {tenant}/{server}");
    }

    public Task GetRootAsync(HttpContext context)
    {
        var baseUrl = PublicUrls.BaseUrl(context.Request, options.Value.PublicBaseUrl);
        return WriteAsync(context, baseUrl, issuers.SharedAuthorizationServers(baseUrl), "SMCP");
    }

    private static async Task WriteAsync(HttpContext context, string resource, IReadOnlyList<string> authorizationServers, string name)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "public, max-age=3600";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("resource", resource);
        if (authorizationServers.Count > 0)
        {
            WriteArray(writer, "authorization_servers", authorizationServers);
        }

        WriteArray(writer, "scopes_supported", Scopes);
        WriteArray(writer, "bearer_methods_supported", ["header"]);
        writer.WriteString("resource_name", name);
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private static void WriteArray(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
