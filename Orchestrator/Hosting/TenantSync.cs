using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.Hosting;

/// <summary>Keeps the tenants table in step with smcp.yaml: at start-up and after every applied edit.</summary>
internal sealed class TenantSync(ConfigMonitor config, TenantStore tenants, ILogger<TenantSync> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await SyncAsync(config.Current, cancellationToken).ConfigureAwait(false);
        config.Changed += OnChanged;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        config.Changed -= OnChanged;
        return Task.CompletedTask;
    }

    private void OnChanged(object? sender, ConfigChangedEventArgs change) => _ = SyncLoggedAsync(change.Current);

    private async Task SyncLoggedAsync(SmcpConfig current)
    {
        try
        {
            await SyncAsync(current, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Npgsql.NpgsqlException ex)
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
