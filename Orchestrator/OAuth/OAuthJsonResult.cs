using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Smcp.Orchestrator.OAuth;

/// <summary>A JSON answer of the authorization server, with the cache headers its kind needs.</summary>
/// <remarks>Token and error answers must not be cached (RFC 6749 section 5.1); metadata and key sets may be.</remarks>
internal sealed class OAuthJsonResult<T>(T value, JsonTypeInfo<T> type, int status = StatusCodes.Status200OK) : IResult
{
    /// <summary>The <c>Cache-Control</c> value; <c>no-store</c> unless the endpoint says otherwise.</summary>
    public string CacheControl { get; init; } = "no-store";

    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Whether a 401 names HTTP Basic, the way a client authenticates to this server.</summary>
    public bool BasicChallenge { get; init; }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.Headers.CacheControl = CacheControl;
        if (CacheControl == "no-store")
        {
            response.Headers.Pragma = "no-cache";
        }

        if (RetryAfter is { } wait)
        {
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (BasicChallenge)
        {
            response.Headers.WWWAuthenticate = "Basic realm=\"smcp\"";
        }

        await JsonSerializer.SerializeAsync(response.Body, value, type, httpContext.RequestAborted);
    }
}
