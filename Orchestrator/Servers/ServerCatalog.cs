using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Data;
using Smcp.Orchestrator.Secrets;
using Smcp.Proxy.Ports;
using Smcp.Sandbox;
using Smcp.Sandbox.Pool;

namespace Smcp.Orchestrator.Servers;

/// <summary>
/// The deployed servers as the proxy sees them: the stored server, its tenant's image, the
/// tenant's quotas from smcp.yaml, its secrets decrypted into the sandbox's environment, and its approved tool pins.
/// </summary>
internal sealed class ServerCatalog(
    ConfigMonitor config, ServerStore servers, ImageStore images, SecretStore secrets, DataKeyStore dataKeys, SecretBox box, ToolPinStore pins)
    : IServerCatalog
{
    public async Task<(McpServerTarget? Target, TargetRefusal? Refusal)> FindAsync(string tenant, string server, CancellationToken cancellationToken)
    {
        var entry = config.Current.FindTenant(tenant);
        if (entry is null)
        {
            return (null, TargetRefusal.NotFound);
        }

        if (entry.Status == TenantStatus.Suspended)
        {
            return (null, TargetRefusal.TenantSuspended);
        }

        var row = await servers.GetAsync(tenant, server, cancellationToken).ConfigureAwait(false);
        var image = row is null ? null : await images.GetAsync(tenant, row.ImageId, cancellationToken).ConfigureAwait(false);
        if (row is null || image is null)
        {
            return (null, TargetRefusal.NotFound);
        }

        var env = new Dictionary<string, string>(row.Env, StringComparer.Ordinal);
        var decrypted = await DecryptSecretsAsync(tenant, server, cancellationToken).ConfigureAwait(false);
        foreach (var (name, value) in decrypted)
        {
            env[name] = value;
        }

        var quotas = entry.Quotas;
        var outputGuard = entry.ServerOutputGuard.ByName.GetValueOrDefault(server, OutputGuardMode.Off);
        var spec = new SandboxSpec
        {
            Image = image.DockerId,
            Tenant = tenant,
            Server = server,
            Args = row.Args.Count == 0 ? null : row.Args,
            Env = env,
            Runtime = quotas.Runtime,
            Limits = new SandboxLimits { MemoryBytes = quotas.MemoryBytes, Cpus = quotas.Cpus, Pids = quotas.Pids },
        };
        var target = new McpServerTarget(spec, new PoolPolicy(quotas.WarmPoolSize, quotas.MaxSessions), quotas.SessionIdleTimeout, quotas.RequestsPerMinute)
        {
            SessionStartsPerMinute = quotas.SessionStartsPerMinute,
            ReclaimIdleAfter = quotas.ReclaimIdleAfter,
            ToolScan = entry.ToolScanFor(server),
            ToolPinning = entry.ToolPinningFor(server),
            Version = ServerVersion.Of(image.DockerId, row.Args, row.Env),
            Pins = entry.ToolPinningFor(server) == ToolPinningPolicy.Off ? null : await pins.LoadApprovedAsync(tenant, server, cancellationToken).ConfigureAwait(false),
            Tools = entry.ServerTools.ByName.GetValueOrDefault(server, ToolPolicy.None),
            OutputGuard = outputGuard,
            SecretValues = [.. decrypted.Values],
        };
        return (target, null);
    }

    public bool IsActive(string tenant) => config.Current.FindTenant(tenant) is { Status: TenantStatus.Active };

    private async Task<IReadOnlyDictionary<string, string>> DecryptSecretsAsync(string tenant, string server, CancellationToken cancellationToken)
    {
        var sealedSecrets = await secrets.GetAllAsync(tenant, server, cancellationToken).ConfigureAwait(false);
        if (sealedSecrets.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        var wrapped = await dataKeys.GetAsync(tenant, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Tenant '{tenant}' has secrets but no data key.");
        using var key = box.UnwrapDataKey(tenant, wrapped);
        return sealedSecrets.ToDictionary(s => s.Key, s => box.Decrypt(key, server, s.Key, s.Value), StringComparer.Ordinal);
    }
}
