using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Data;
using Smcp.Proxy.Ports;
using Smcp.Proxy.Sessions;
using Smcp.Sandbox.Pool;

namespace Smcp.Orchestrator.Hosting;

/// <summary>
/// Keeps Postgres and the live platform in step with smcp.yaml: tenants are synced at start-up and
/// after every applied edit; a tenant that is suspended or removed loses its sessions and warm
/// sandboxes at once. At start-up, session rows left open by the previous run are closed (sessions
/// do not survive a restart); among replicas, <see cref="Replicas.ReplicaLease"/> closes only this replica's.
/// </summary>
internal sealed class TenantSync(
    ConfigMonitor config, TenantStore tenants, SessionStore sessions, IMcpSessionControl live, WarmPool pool, ISessionDirectory directory, ILogger<TenantSync> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await SyncAsync(config.Current, cancellationToken).ConfigureAwait(false);

        // Among replicas the other ones' sessions live on: the replica's lease has ended only what this one left.
        foreach (var tenant in directory.IsShared ? [] : config.Current.Tenants)
        {
            await sessions.EndAllOpenAsync(tenant.Id, "restart", cancellationToken).ConfigureAwait(false);
        }

        config.Changed += OnChanged;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        config.Changed -= OnChanged;
        return Task.CompletedTask;
    }

    private void OnChanged(object? sender, ConfigChangedEventArgs change) => _ = ApplyAsync(change);

    /// <summary>Runs detached from the file watcher, so every failure it can meet is logged here rather than lost.</summary>
    private async Task ApplyAsync(ConfigChangedEventArgs change)
    {
        try
        {
            var shutOut = change.Previous.Tenants
                .Where(before => before.Status == TenantStatus.Active && change.Current.FindTenant(before.Id) is not { Status: TenantStatus.Active })
                .Select(before => before.Id);
            foreach (var tenant in shutOut)
            {
                var ended = await live.EndTenantAsync(tenant, "tenant suspended").ConfigureAwait(false);
                await pool.DrainAsync(tenant, server: null).ConfigureAwait(false);
                HostLog.TenantShutOut(logger, tenant, ended);
            }

            await SyncAsync(change.Current, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or Docker.DotNet.DockerApiException or HttpRequestException or IOException)
        {
            HostLog.TenantSyncFailed(logger, ex);
        }
    }

    private Task SyncAsync(SmcpConfig current, CancellationToken cancellationToken) =>
        tenants.SyncAsync(
            current.Tenants.Select(t => new TenantEntry
            {
                Id = t.Id,
                Name = t.Name,
                Status = t.Status == TenantStatus.Suspended ? TenantStatuses.Suspended : TenantStatuses.Active,
            }).ToList(),
            cancellationToken);
}
