namespace Smcp.Orchestrator.Config;

/// <summary>One setting of a tenant's <c>servers.{name}</c>, by server name, equal by content so an unchanged file reads as an unchanged tenant.</summary>
internal sealed record ServerSettings<T>(IReadOnlyDictionary<string, T> ByName)
{
    public static ServerSettings<T> None { get; } = new(new Dictionary<string, T>());

    public bool Equals(ServerSettings<T>? other) =>
        other is not null && ByName.Count == other.ByName.Count
        && ByName.All(p => other.ByName.TryGetValue(p.Key, out var value) && EqualityComparer<T>.Default.Equals(value, p.Value));

    public override int GetHashCode() => ByName.Count;
}
