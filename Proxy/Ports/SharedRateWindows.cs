namespace Smcp.Proxy.Ports;

/// <summary>What a shared rate window says: go ahead, or wait this long.</summary>
public readonly record struct WindowCheck(bool Admitted, TimeSpan RetryAfter);

/// <summary>The tenants' per-minute budgets, counted where every replica sees them (Postgres), so N replicas do not grant N budgets.</summary>
public interface ISharedRateWindows
{
    /// <summary>Takes <paramref name="count"/> from the tenant's budget of <paramref name="kind"/> in the current minute, unless that would pass <paramref name="perMinute"/>.</summary>
    Task<WindowCheck> TryTakeAsync(string tenant, string kind, int perMinute, int count, CancellationToken cancellationToken);
}
