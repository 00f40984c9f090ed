using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Data;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Api;

internal sealed record TenantUsage(string Id, string Name, string Status, int Servers, int MaxServers, int Images, long ImageBytes, long TotalImageBytes, int OpenSessions, int MaxSessions);

/// <summary><c>/v1/admin/…</c>: the platform admin's view across tenants, each read under its own tenant context.</summary>
internal static class AdminApi
{
    public static void MapAdmin(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/admin/tenants", TenantsAsync).WithSummary("Every tenant in smcp.yaml with its status and usage (platform admin)");
    }

    private static async Task<IResult> TenantsAsync(
        HttpContext context, ConfigMonitor config, ServerStore servers, ImageStore images, SessionStore sessions, CancellationToken ct)
    {
        var (principal, problem) = await ApiAccess.AuthenticateAsync(context).ConfigureAwait(false);
        if (principal is null)
        {
            return problem!;
        }

        if (principal.Role != SmcpRole.PlatformAdmin)
        {
            return Problems.Forbidden("Only the platform admin's key (SMCP_ADMIN_KEY) may list tenants.");
        }

        var usage = new List<TenantUsage>();
        foreach (var tenant in config.Current.Tenants)
        {
            var tenantServers = await servers.ListAsync(tenant.Id, ct).ConfigureAwait(false);
            var tenantImages = await images.ListAsync(tenant.Id, ct).ConfigureAwait(false);
            var open = await sessions.ListOpenAsync(tenant.Id, ct).ConfigureAwait(false);
            usage.Add(new TenantUsage(
                tenant.Id, tenant.Name, tenant.Status == TenantStatus.Suspended ? "suspended" : "active",
                tenantServers.Count, tenant.Quotas.MaxServers, tenantImages.Count, tenantImages.Sum(i => i.SizeBytes),
                tenant.Quotas.TotalImageBytes, open.Count, tenant.Quotas.MaxSessions));
        }

        return Results.Ok(usage);
    }
}
