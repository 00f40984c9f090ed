using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Config;

/// <summary>A tenant's <c>servers.{name}.toolScan</c> and <c>toolPinning</c> settings, equal by content so an unchanged file reads as an unchanged tenant.</summary>
internal sealed record ServerToolScans(IReadOnlyDictionary<string, ToolScanPolicy> ByName)
{
    public static ServerToolScans None { get; } = new(new Dictionary<string, ToolScanPolicy>());

    /// <summary><c>servers.{name}.toolPinning</c>, by server name (every server listed, inherited where it sets none).</summary>
    public IReadOnlyDictionary<string, ToolPinningPolicy> PinningByName { get; init; } = new Dictionary<string, ToolPinningPolicy>();

    public bool Equals(ServerToolScans? other) =>
        other is not null && ByName.Count == other.ByName.Count
        && ByName.All(p => other.ByName.TryGetValue(p.Key, out var policy) && policy == p.Value)
        && PinningByName.Count == other.PinningByName.Count
        && PinningByName.All(p => other.PinningByName.TryGetValue(p.Key, out var policy) && policy == p.Value);

    public override int GetHashCode() => ByName.Count;
}
