using Smcp.Orchestrator.Auth;
using Smcp.Orchestrator.Config;
using Smcp.Proxy.Limits;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Api;

/// <summary>What a tenant API endpoint needs of the caller.</summary>
internal enum ApiNeed
{
    Read,
    Manage,
}

/// <summary>
/// Authenticates every tenant API request and checks it against the tenant in the path: the tenant
/// comes from the credential, so a key of tenant A on tenant B's path is 403, whatever the URL says.
/// </summary>
internal static class ApiAccess
{
    private const string PrincipalKey = "smcp.principal";

    public static SmcpPrincipal Principal(this HttpContext context) =>
        (SmcpPrincipal)context.Items[PrincipalKey]!;

    /// <summary>The caller, or the problem to answer with (401 without a valid credential).</summary>
    public static async Task<(SmcpPrincipal? Principal, IResult? Problem)> AuthenticateAsync(HttpContext context)
    {
        var metrics = context.RequestServices.GetRequiredService<ApiMetrics>();
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= "Bearer ".Length)
        {
            metrics.Refused(RefusalMetrics.Unauthorized);
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return (null, Problems.Unauthorized("Send an API key as 'Authorization: Bearer smcp_…'."));
        }

        var validator = context.RequestServices.GetRequiredService<ICredentialValidator>();
        var check = await validator.ValidateAsync(header["Bearer ".Length..].Trim(), context.Connection.RemoteIpAddress, context.RequestAborted).ConfigureAwait(false);
        if (check.RetryAfter is { } retryAfter)
        {
            metrics.Refused(RefusalMetrics.PreAuthLimited);
            SetRetryAfter(context, retryAfter);
            return (null, Problems.TooManyRequests("Too many credential checks from this address (or from everyone at once); retry after Retry-After seconds."));
        }

        if (check.Principal is not { } principal)
        {
            metrics.Refused(RefusalMetrics.Unauthorized);
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return (null, Problems.Unauthorized("The API key is not valid, or it was revoked."));
        }

        context.Items[PrincipalKey] = principal;
        return (principal, null);
    }

    /// <summary>An endpoint filter for <c>/v1/tenants/{tenant}/…</c>: GET needs read access, anything else manage access.</summary>
    public static async ValueTask<object?> TenantFilter(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var (principal, problem) = await AuthenticateAsync(context).ConfigureAwait(false);
        if (principal is null)
        {
            return problem;
        }

        var tenant = context.GetRouteValue("tenant") as string ?? string.Empty;
        var need = HttpMethods.IsGet(context.Request.Method) ? ApiNeed.Read : ApiNeed.Manage;
        var config = context.RequestServices.GetRequiredService<ConfigMonitor>().Current;
        if (Authorize(principal, tenant, need, config) is { } refused)
        {
            return refused;
        }

        var budgets = context.RequestServices.GetRequiredService<TenantBudgets>();
        if (await budgets.TryRequestsAsync(tenant, config.FindTenant(tenant)!.Quotas.RequestsPerMinute, 1, context.RequestAborted).ConfigureAwait(false) is { } wait)
        {
            context.RequestServices.GetRequiredService<ApiMetrics>().Refused(RefusalMetrics.RateLimited, tenant);
            SetRetryAfter(context, wait);
            return Problems.TooManyRequests("The tenant's requestsPerMinute quota (API and MCP together) is used up; retry after Retry-After seconds.");
        }

        return await next(invocation).ConfigureAwait(false);
    }

    /// <summary>Null when allowed; otherwise the problem that says why not.</summary>
    public static IResult? Authorize(SmcpPrincipal principal, string tenant, ApiNeed need, SmcpConfig config)
    {
        if (!principal.MayAct(tenant))
        {
            return Problems.Forbidden("This credential belongs to another tenant.");
        }

        var entry = TenantId.IsValid(tenant) ? config.FindTenant(tenant) : null;
        if (entry is null)
        {
            return Problems.NotFound($"There is no tenant '{tenant}'.");
        }

        if (entry.Status == TenantStatus.Suspended)
        {
            return Problems.Forbidden($"Tenant '{tenant}' is suspended; ask the platform admin.");
        }

        var allowed = need == ApiNeed.Read ? principal.MayRead(tenant) : principal.MayManage(tenant);
        return allowed ? null : Problems.Forbidden(need == ApiNeed.Read
            ? $"A {Describe(principal.Role)} key cannot use the tenant API."
            : $"A {Describe(principal.Role)} key cannot change anything; use a tenant-admin key.");
    }

    private static void SetRetryAfter(HttpContext context, TimeSpan wait) =>
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Describe(SmcpRole role) => role switch
    {
        SmcpRole.TenantUser => "tenant-user",
        SmcpRole.ReadOnly => "read-only",
        SmcpRole.TenantAdmin => "tenant-admin",
        _ => "platform-admin",
    };
}
