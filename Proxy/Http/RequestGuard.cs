using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Smcp.Proxy.Limits;
using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Http;

/// <summary>
/// What every MCP request passes before anything else: Origin and Host (DNS rebinding), the bearer
/// credential, and the credential's right to use this tenant's servers.
/// </summary>
internal sealed class RequestGuard(ICredentialValidator credentials, RefusalMetrics metrics, IOptions<ProxyOptions> options)
{
    private readonly ProxyOptions _options = options.Value;

    /// <summary>The caller, or null after the refusal has been written.</summary>
    public async Task<SmcpPrincipal?> AdmitAsync(HttpContext context, string tenant, string server)
    {
        var request = context.Request;
        if (IsLoopbackBound(context) && !IsLoopbackHost(request.Host.Host))
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status403Forbidden, "The Host header must name localhost when the server listens on localhost.").ConfigureAwait(false);
            return null;
        }

        if (request.Headers.Origin is [{ } origin] && !IsAllowedOrigin(request, origin))
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status403Forbidden, $"Origin '{origin}' is not allowed.").ConfigureAwait(false);
            return null;
        }

        var authorization = request.Headers.Authorization.ToString();
        var token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
        var check = string.IsNullOrEmpty(token)
            ? CredentialCheck.Invalid
            : await credentials.ValidateAsync(token, context.Connection.RemoteIpAddress, context.RequestAborted).ConfigureAwait(false);
        if (check.RetryAfter is { } retryAfter)
        {
            metrics.Refused(RefusalMetrics.PreAuthLimited);
            await HttpErrors.TooManyAsync(context, retryAfter,
                "Too many credential checks from this address (or from everyone at once); retry after Retry-After seconds.").ConfigureAwait(false);
            return null;
        }

        if (check.Principal is not { } principal)
        {
            metrics.Refused(RefusalMetrics.Unauthorized);
            var metadata = ProtectedResourceMetadata.MetadataUrl(request, _options.PublicBaseUrl, tenant, server);
            context.Response.Headers.WWWAuthenticate = token is null
                ? $"Bearer resource_metadata=\"{metadata}\""
                : $"Bearer resource_metadata=\"{metadata}\", error=\"invalid_token\"";
            await HttpErrors.WriteAsync(context, StatusCodes.Status401Unauthorized,
                token is null ? "A bearer credential is required." : "The bearer credential is not valid.").ConfigureAwait(false);
            return null;
        }

        if (!principal.MayUseMcp(tenant))
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status403Forbidden, $"This credential may not use the MCP servers of tenant '{tenant}'.").ConfigureAwait(false);
            return null;
        }

        return principal;
    }

    private static bool IsLoopbackBound(HttpContext context) => context.Connection.LocalIpAddress is { } local && IPAddress.IsLoopback(local);

    private static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host is "127.0.0.1" or "[::1]" or "::1";

    private bool IsAllowedOrigin(HttpRequest request, string origin)
    {
        var own = $"{request.Scheme}://{request.Host}";
        return string.Equals(origin, own, StringComparison.OrdinalIgnoreCase)
            || _options.AllowedOrigins.Any(allowed => string.Equals(allowed.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase));
    }
}
