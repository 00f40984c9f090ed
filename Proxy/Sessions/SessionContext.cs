using Microsoft.Extensions.Logging;
using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Sessions;

/// <summary>What every session shares: options, the recorder, the clock, the log, and the proxy's replay budget.</summary>
internal sealed record SessionContext(ProxyOptions Options, IProxyRecorder Recorder, TimeProvider Time, ILogger Logger)
{
    public ReplayBudget Replay { get; } = new(Options.ReplayBudgetBytes);
}
