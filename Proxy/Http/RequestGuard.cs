using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smcp.Proxy.Auth;
using Smcp.Proxy.Limits;
using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Http;

/// <summary>
/// What every MCP request passes before anything else: Origin and Host (DNS rebinding), the bearer
/// credential (an OAuth access token, or else an API key), and the credential's right to use this tenant's servers.
/// </summary>
internal sealed class RequestGuard(
    ICredentialValidator credentials, AccessTokenValidator accessTokens, RefusalMetrics metrics, IOptions<ProxyOptions> options, ILogger<RequestGuard> logger)
{
    /// <summary>The scope a client asks for to use MCP servers (named in every challenge, RFC 6750 section 3).</summary>
    public const string McpScope = "mcp";

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
        var baseUrl = PublicUrls.BaseUrl(request, _options.PublicBaseUrl);
        var metadata = ProtectedResourceMetadata.MetadataUrl(request, _options.PublicBaseUrl, tenant, server);
        if (string.IsNullOrEmpty(token))
        {
            return await UnauthorizedAsync(context, metadata, tokenSent: false).ConfigureAwait(false);
        }

        SmcpPrincipal principal;
        if (JwtShape.IsJwt(token))
        {
            var resource = PublicUrls.McpResource(baseUrl, tenant, server);
            var checkedToken = await accessTokens.ValidateAsync(token, tenant, resource, baseUrl, context.RequestAborted).ConfigureAwait(false);
            if (checkedToken.Reason is { } reason)
            {
                Log.TokenRefused(logger, tenant, server, reason);
            }

            if (checkedToken.Outcome == TokenOutcome.InsufficientScope)
            {
                metrics.Refused(RefusalMetrics.Unauthorized);
                context.Response.Headers.WWWAuthenticate = $"Bearer error=\"insufficient_scope\", scope=\"{McpScope}\", resource_metadata=\"{metadata}\"";
                await HttpErrors.WriteAsync(context, StatusCodes.Status403Forbidden,
                    $"The access token's scope does not allow the use of MCP servers; ask for the scope '{McpScope}'.").ConfigureAwait(false);
                return null;
            }

            if (checkedToken.Principal is not { } fromToken)
            {
                return await UnauthorizedAsync(context, metadata, tokenSent: true).ConfigureAwait(false);
            }

            principal = fromToken;
        }
        else
        {
            var check = await credentials.ValidateAsync(token, context.Connection.RemoteIpAddress, context.RequestAborted).ConfigureAwait(false);
            if (check.RetryAfter is { } retryAfter)
            {
                metrics.Refused(RefusalMetrics.PreAuthLimited);
                await HttpErrors.TooManyAsync(context, retryAfter,
                    "Too many credential checks from this address (or from everyone at once); retry after Retry-After seconds.").ConfigureAwait(false);
                return null;
            }

            if (check.Principal is not { } fromKey)
            {
                return await UnauthorizedAsync(context, metadata, tokenSent: true).ConfigureAwait(false);
            }

            principal = fromKey;
        }

        if (!principal.MayUseMcp(tenant))
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status403Forbidden, $"This credential may not use the MCP servers of tenant '{tenant}'.").ConfigureAwait(false);
            return null;
        }

        return principal;
    }

    private async Task<SmcpPrincipal?> UnauthorizedAsync(HttpContext context, string metadata, bool tokenSent)
    {
        metrics.Refused(RefusalMetrics.Unauthorized);
        var challenge = $"Bearer resource_metadata=\"{metadata}\", scope=\"{McpScope}\"";
        context.Response.Headers.WWWAuthenticate = tokenSent ? challenge + ", error=\"invalid_token\"" : challenge;
        await HttpErrors.WriteAsync(context, StatusCodes.Status401Unauthorized,
            tokenSent ? "The bearer credential is not valid." : "A bearer credential is required.").ConfigureAwait(false);
        return null;
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
