using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Config;

/// <summary>A tenant's <c>servers.{name}.outputGuard</c> settings, equal by content so an unchanged file reads as an unchanged tenant.</summary>
internal sealed record ServerOutputGuards(IReadOnlyDictionary<string, OutputGuardMode> ByName)
{
    public static ServerOutputGuards None { get; } = new(new Dictionary<string, OutputGuardMode>());

    public bool Equals(ServerOutputGuards? other) =>
        other is not null && ByName.Count == other.ByName.Count
        && ByName.All(p => other.ByName.TryGetValue(p.Key, out var mode) && mode == p.Value);

    public override int GetHashCode() => ByName.Count;
}
