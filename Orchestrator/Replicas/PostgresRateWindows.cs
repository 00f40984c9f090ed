using Dapper;
using Smcp.Orchestrator.Data;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Replicas;

/// <summary>The tenants' per-minute budgets as rows every replica updates: a minute of the database's clock, one upsert per check.</summary>
internal sealed class PostgresRateWindows(TenantDb db) : ISharedRateWindows
{
    public Task<WindowCheck> TryTakeAsync(string tenant, string kind, int perMinute, int count, CancellationToken cancellationToken) =>
        db.RunAsync(tenant, async (connection, transaction) =>
        {
            // The update's WHERE refuses a take that would pass the budget; the first take of a minute is at most the budget (the caller clamps).
            var row = await connection.QuerySingleAsync<(long Taken, double Wait)>(new CommandDefinition(
                """
                WITH w AS (SELECT date_trunc('minute', now()) AS start),
                taken AS (
                    INSERT INTO rate_windows (tenant_id, kind, window_start, used) SELECT @tenant, @kind, w.start, @count FROM w
                    ON CONFLICT (tenant_id, kind, window_start) DO UPDATE SET used = rate_windows.used + excluded.used
                    WHERE rate_windows.used + excluded.used <= @perMinute
                    RETURNING used)
                SELECT (SELECT count(*) FROM taken), extract(epoch FROM (SELECT start FROM w) + interval '1 minute' - now())::float8
                """,
                new { tenant, kind, count, perMinute }, transaction, cancellationToken: cancellationToken));
            return new WindowCheck(row.Taken == 1, TimeSpan.FromSeconds(Math.Max(row.Wait, 0)));
        }, cancellationToken);
}
