using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Http;

/// <summary>
/// OAuth 2.0 Protected Resource Metadata (RFC 9728) for an MCP endpoint, where the 401's
/// <c>resource_metadata</c> points: the resource and how it takes a bearer credential (the header only).
/// No authorization server is named while SMCP accepts API keys only. The same answer for every path,
/// so it tells nothing about which tenants or servers exist.
/// </summary>
internal sealed class ProtectedResourceMetadata(IOptions<ProxyOptions> options)
{
    public const string PathPrefix = "/.well-known/oauth-protected-resource";

    private static string ResourceUrl(HttpRequest request, string? publicBaseUrl, string tenant, string server) =>
        PublicUrls.McpResource(PublicUrls.BaseUrl(request, publicBaseUrl), tenant, server);

    /// <summary>Where the metadata of that resource is (RFC 9728 section 3.1: the well-known prefix before the resource's path).</summary>
    /// <remarks>The segments are escaped: they come from the URL as the client sent it and end up inside a quoted header parameter.</remarks>
    public static string MetadataUrl(HttpRequest request, string? publicBaseUrl, string tenant, string server) =>
        $"{PublicUrls.BaseUrl(request, publicBaseUrl)}{PathPrefix}{ResourcePath(tenant, server)}";

    private static string ResourcePath(string tenant, string server) =>
        $"/t/{Uri.EscapeDataString(tenant)}/{Uri.EscapeDataString(server)}/mcp";

    public async Task GetAsync(HttpContext context, string tenant, string server)
    {
        var resource = ResourceUrl(context.Request, options.Value.PublicBaseUrl, tenant, server);
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "public, max-age=3600";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("resource", resource);
        writer.WriteStartArray("bearer_methods_supported");
        writer.WriteStringValue("header");
        writer.WriteEndArray();
        writer.WriteString("resource_name", $"SMCP MCP server {tenant}/{server}");
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
