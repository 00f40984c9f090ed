using Smcp.Orchestrator.Api;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Hosting.Telemetry;

/// <summary>
/// Lets only the platform admin's key read <c>/metrics</c>: the series name every tenant and its load. No credential or a bad
/// one is 401, any other valid credential (a tenant's key, an OAuth token) 403, the way the admin API refuses them.
/// </summary>
internal static class MetricsAccess
{
    public static async Task AdmitAsync(HttpContext context, Func<Task> next)
    {
        var (principal, problem) = await ApiAccess.AuthenticateAsync(context).ConfigureAwait(false);
        if (principal is null)
        {
            await problem!.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (principal.Role != SmcpRole.PlatformAdmin)
        {
            await Problems.Forbidden("Only the platform admin's key (SMCP_ADMIN_KEY) may read the metrics: they name every tenant.").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        context.Response.Headers.CacheControl = "no-store";
        await next().ConfigureAwait(false);
    }
}
