using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Data;
using Smcp.Proxy.Ports;
using Smcp.Sandbox.Pool;

namespace Smcp.Orchestrator.Servers;

/// <summary>Starts each deployed server's warm sandboxes, so the first session after a start-up or a deploy does not wait for a cold start.</summary>
/// <remarks>A process that serves no MCP sessions (<c>--role control</c>) keeps no warm sandboxes: <paramref name="warms"/> is false there.</remarks>
internal sealed class PoolWarmer(ConfigMonitor config, ServerStore servers, IServerCatalog catalog, WarmPool pool, ILogger<PoolWarmer> logger, bool warms = true) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var tenant in config.Current.Tenants.Where(t => t.Status == TenantStatus.Active))
        {
            foreach (var server in await servers.ListAsync(tenant.Id, cancellationToken).ConfigureAwait(false))
            {
                await WarmAsync(tenant.Id, server.Name, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Drops the server's warm sandboxes (they may run an old image, args or secrets) and starts new ones.</summary>
    public async Task RewarmAsync(string tenant, string server, CancellationToken cancellationToken)
    {
        await pool.DrainAsync(tenant, server).ConfigureAwait(false);
        await WarmAsync(tenant, server, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A server that cannot be warmed (its secrets do not decrypt, the store hiccups) must not stop the others or the start-up.</summary>
    private async Task WarmAsync(string tenant, string server, CancellationToken cancellationToken)
    {
        if (!warms)
        {
            return;
        }

        try
        {
            var (target, _) = await catalog.FindAsync(tenant, server, cancellationToken).ConfigureAwait(false);
            if (target is not null)
            {
                pool.Warm(target.Spec, target.Pool);
            }
        }
        catch (Exception ex) when (ex is Secrets.SecretDecryptionException or InvalidOperationException or Npgsql.NpgsqlException)
        {
            Hosting.HostLog.WarmFailed(logger, ex, tenant, server);
        }
    }
}
