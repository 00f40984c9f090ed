using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Smcp.Orchestrator.Data;

internal static class TenantStatuses
{
    public const string Active = "active";
    public const string Suspended = "suspended";
    public const string Removed = "removed";
}

/// <summary>A tenant as smcp.yaml states it; <see cref="Status"/> is active or suspended.</summary>
internal sealed record TenantEntry
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string Status { get; init; } = TenantStatuses.Active;
}

internal sealed record TenantRow
{
    public required string TenantId { get; init; }
    public required string Name { get; init; }
    public required string Status { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

internal sealed record TenantSyncResult(int Upserted, int Removed);

/// <summary>Keeps the tenants table in step with smcp.yaml.</summary>
internal sealed class TenantStore(TenantDb db, ILogger<TenantStore>? logger = null)
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>Upserts every tenant of the file, each under its own tenant context, and marks the others removed.</summary>
    public async Task<TenantSyncResult> SyncAsync(IReadOnlyCollection<TenantEntry> tenants, CancellationToken ct)
    {
        foreach (var tenant in tenants)
        {
            if (tenant.Status is not (TenantStatuses.Active or TenantStatuses.Suspended))
            {
                throw new ArgumentException($"Tenant {tenant.Id}: status must be active or suspended, not {tenant.Status}", nameof(tenants));
            }

            await db.RunAsync(tenant.Id, async (connection, transaction) =>
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO tenant_registry (tenant_id) VALUES (@Id) ON CONFLICT DO NOTHING", tenant, transaction, cancellationToken: ct));
                await connection.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO tenants (tenant_id, name, status) VALUES (@Id, @Name, @Status)
                    ON CONFLICT (tenant_id) DO UPDATE SET name = excluded.name, status = excluded.status, updated_at = now()
                    WHERE (tenants.name, tenants.status) IS DISTINCT FROM (excluded.name, excluded.status)
                    """, tenant, transaction, cancellationToken: ct));
            }, ct);
        }

        // The registry has no row-level security (it holds ids only), so it is read without a tenant context.
        var inFile = tenants.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
        List<string> known;
        await using (var connection = await db.DataSource.OpenConnectionAsync(ct))
        {
            known = (await connection.QueryAsync<string>(new CommandDefinition("SELECT tenant_id FROM tenant_registry", cancellationToken: ct))).AsList();
        }

        var removed = 0;
        foreach (var id in known.Where(id => !inFile.Contains(id)))
        {
            removed += await db.RunAsync(id, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                "UPDATE tenants SET status = 'removed', updated_at = now() WHERE tenant_id = @id AND status <> 'removed'",
                new { id }, transaction, cancellationToken: ct)), ct);
        }

        DataLog.TenantsSynced(_logger, tenants.Count, removed);
        return new TenantSyncResult(tenants.Count, removed);
    }

    public Task<TenantRow?> GetAsync(string tenantId, CancellationToken ct) =>
        db.RunAsync(tenantId, (connection, transaction) => connection.QuerySingleOrDefaultAsync<TenantRow>(new CommandDefinition(
            "SELECT tenant_id AS TenantId, name, status, updated_at AS UpdatedAt FROM tenants WHERE tenant_id = @tenantId",
            new { tenantId }, transaction, cancellationToken: ct)), ct);
}
