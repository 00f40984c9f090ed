using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Smcp.Proxy.Guard;
using Smcp.Proxy.Logs;
using Smcp.Proxy.Ports;
using Smcp.Proxy.Telemetry;

namespace Smcp.Proxy.Sessions;

/// <summary>What every session shares: options, the recorder, the listing guard, the servers' stderr logs, the clock, the log, the metrics, and the replay budgets of the proxy and of each tenant.</summary>
internal sealed record SessionContext(ProxyOptions Options, IProxyRecorder Recorder, ToolGuard Guard, ServerLogBook Logs, TimeProvider Time, ILogger Logger, ProxyMetrics Metrics)
{
    private readonly ConcurrentDictionary<string, ReplayBudget> _tenants = new(StringComparer.Ordinal);

    /// <summary>The per-process key behind stateless correlation keys and sealed requestState.</summary>
    public StatelessKeys Keys { get; } = new();

    /// <summary>The proxy's hard ceiling over every tenant: it refuses new bytes when full, and never trims anyone.</summary>
    public ReplayBudget Replay { get; } = new(Options.ReplayBudgetBytes, isCeiling: true);

    /// <summary>The budget a tenant's sessions share, inside the proxy's; one object per tenant that ever had a session (a few dozen bytes).</summary>
    public ReplayBudget TenantReplay(string tenant) => _tenants.GetOrAdd(tenant, _ => new ReplayBudget(Options.TenantReplayBudgetBytes, Replay));
}
