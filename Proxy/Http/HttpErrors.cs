using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Smcp.Proxy.Json;

namespace Smcp.Proxy.Http;

/// <summary>HTTP refusals, each with a JSON-RPC error body a client can show.</summary>
internal static class HttpErrors
{
    public static async Task WriteAsync(HttpContext context, int status, string message, RequestId? id = null, int code = ErrorCodes.ServerError, JsonElement? data = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        try
        {
            await context.Response.Body.WriteAsync(JsonRpcErrors.For(id, code, message, data), context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to read the refusal.
        }
    }

    public static Task TooManyAsync(HttpContext context, TimeSpan retryAfter, string message, RequestId? id = null)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return WriteAsync(context, StatusCodes.Status429TooManyRequests, message, id);
    }
}
