using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace Smcp.Orchestrator.Hosting;

/// <summary>A request that could not reach Postgres (down, restarting, out of connections) is a 503 with Retry-After and a reason, never a 500.</summary>
/// <remarks>
/// Only what Npgsql calls transient (connection failures, timeouts, SQLSTATE classes 08, 53 and 57P0x, serialization
/// failures): any other database error is a bug and stays a 500. An MCP endpoint's refusal is a JSON-RPC error, as
/// the proxy's own refusals are; the request's id is not known here (the body may not have been read), so it is null.
/// </remarks>
internal sealed class DatabaseUnavailableHandler(IProblemDetailsService problems, ILogger<DatabaseUnavailableHandler> logger) : IExceptionHandler
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private const string Reason = "The database is unavailable; retry in a few seconds.";

    private static readonly byte[] McpBody =
        Encoding.UTF8.GetBytes($$$"""{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"{{{Reason}}}"}}""");

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not NpgsqlException { IsTransient: true } || httpContext.Response.HasStarted)
        {
            return false;
        }

        HostLog.DatabaseUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, exception.GetType().Name);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        if (IsMcpEndpoint(httpContext.Request.Path))
        {
            httpContext.Response.ContentType = "application/json";
            await httpContext.Response.Body.WriteAsync(McpBody, cancellationToken).ConfigureAwait(false);
            return true;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = "Service unavailable", Detail = Reason },
        }).ConfigureAwait(false);
    }

    /// <summary><c>/t/{tenant}/{server}/mcp</c>, <c>/sse</c> or <c>/messages</c>.</summary>
    private static bool IsMcpEndpoint(PathString path) =>
        path.Value is { } value && value.StartsWith("/t/", StringComparison.Ordinal) && value.Count(c => c == '/') == 4
        && (value.EndsWith("/mcp", StringComparison.Ordinal) || value.EndsWith("/sse", StringComparison.Ordinal) || value.EndsWith("/messages", StringComparison.Ordinal));
}
