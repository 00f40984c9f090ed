using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Config;

/// <summary>A tenant's <c>servers.{name}.toolScan</c> settings, equal by content so an unchanged file reads as an unchanged tenant.</summary>
internal sealed record ServerToolScans(IReadOnlyDictionary<string, ToolScanPolicy> ByName)
{
    public static ServerToolScans None { get; } = new(new Dictionary<string, ToolScanPolicy>());

    public bool Equals(ServerToolScans? other) =>
        other is not null && ByName.Count == other.ByName.Count
        && ByName.All(p => other.ByName.TryGetValue(p.Key, out var policy) && policy == p.Value);

    public override int GetHashCode() => ByName.Count;
}
