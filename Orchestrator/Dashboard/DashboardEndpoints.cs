using System.Collections.Frozen;
using Smcp.Orchestrator.Api;

namespace Smcp.Orchestrator.Dashboard;

/// <summary><c>/ui/</c>: the dashboard's three static files, embedded in this assembly, under a strict content security policy.</summary>
/// <remarks>
/// The page signs in with an API key held in sessionStorage and sent as a bearer header to <c>/v1/…</c>; no cookie,
/// so no request the browser sends on its own carries authority. The policy allows only this origin's script and
/// style files (no inline code), so a tenant-controlled name or audit text that reached the DOM as markup still ran nothing.
/// </remarks>
internal static class DashboardEndpoints
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private const string ResourcePrefix = "dashboard/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IEndpointRouteBuilder MapSmcpDashboard(this IEndpointRouteBuilder endpoints)
    {
        var files = Load();
        var ui = endpoints.MapGroup("/ui").AddEndpointFilter(SecurityHeaders).ExcludeFromDescription();
        ui.MapGet("/{*file}", (string? file) =>
            files.TryGetValue(string.IsNullOrEmpty(file) ? "index.html" : file, out var found)
                ? Results.Bytes(found.Content, found.ContentType)
                : Problems.NotFound("The dashboard has no such file; open /ui/."));
        return endpoints;
    }

    private static ValueTask<object?> SecurityHeaders(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var headers = invocation.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers.CacheControl = "no-cache";
        return next(invocation);
    }

    private static FrozenDictionary<string, (byte[] Content, string ContentType)> Load()
    {
        var assembly = typeof(DashboardEndpoints).Assembly;
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[name[ResourcePrefix.Length..]] = (copy.ToArray(), ContentTypes[Path.GetExtension(name)]);
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
