using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Smcp.Orchestrator.OAuth.Pages;

/// <summary>The pages' responses, each with the headers that keep them out of frames, caches and other sites' referrers.</summary>
internal static class OAuthPageResults
{
    private const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

    public static ContentHttpResult Html(HttpContext context, int statusCode, string html)
    {
        Secure(context.Response);
        return TypedResults.Content(html, "text/html; charset=utf-8", Encoding.UTF8, statusCode);
    }

    public static ContentHttpResult Error(HttpContext context, int statusCode, string title, string message) =>
        Html(context, statusCode, OAuthPageWriter.Error(title, message));

    public static ContentHttpResult NotFound(HttpContext context) =>
        Error(context, StatusCodes.Status404NotFound, "Not found", "This address has no sign-in.");

    public static RedirectHttpResult Redirect(HttpContext context, string url)
    {
        Secure(context.Response);
        return TypedResults.Redirect(url);
    }

    private static void Secure(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers.CacheControl = "no-store";
        headers.Pragma = "no-cache";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
    }
}
