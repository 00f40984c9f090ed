using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Config;

/// <summary>A tenant's <c>servers.{name}.tools</c> settings, equal by content so an unchanged file reads as an unchanged tenant.</summary>
internal sealed record ServerToolPolicies(IReadOnlyDictionary<string, ToolPolicy> ByName)
{
    public static ServerToolPolicies None { get; } = new(new Dictionary<string, ToolPolicy>());

    public bool Equals(ServerToolPolicies? other) =>
        other is not null && ByName.Count == other.ByName.Count
        && ByName.All(p => other.ByName.TryGetValue(p.Key, out var policy) && policy.Equals(p.Value));

    public override int GetHashCode() => ByName.Count;
}
