namespace Smcp.Orchestrator.OAuth;

/// <summary>Lets browser-based MCP clients (an inspector in a web page) discover, register and get tokens across origins.</summary>
/// <remarks>
/// Any origin, never with credentials: these endpoints take no cookie or other ambient credential, only what the request itself
/// carries (a client secret, a code with its verifier, a refresh token), so a page on another origin gains nothing it did not send.
/// The sign-in and consent pages are not opened up; they are the pages' own.
/// </remarks>
internal static class OAuthCors
{
    public static ValueTask<object?> Filter(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        invocation.HttpContext.Response.Headers.AccessControlAllowOrigin = "*";
        return next(invocation);
    }

    /// <summary>The answer to a preflight (<c>OPTIONS</c>) for a POST with <c>Authorization</c> or a JSON body.</summary>
    public static IResult Preflight(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.AccessControlAllowOrigin = "*";
        headers.AccessControlAllowMethods = "POST";
        headers.AccessControlAllowHeaders = "Authorization, Content-Type";
        headers.AccessControlMaxAge = "600";
        return Results.NoContent();
    }
}
