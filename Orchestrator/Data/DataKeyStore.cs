using Dapper;

namespace Smcp.Orchestrator.Data;

/// <summary>Each tenant's data key, wrapped by the master key.</summary>
internal sealed class DataKeyStore(TenantDb db)
{
    /// <summary>Stores <paramref name="candidate"/> unless the tenant has a key already; returns the key that is stored.</summary>
    /// <remarks>Two processes may create a candidate at once: the first insert wins and both get its key.</remarks>
    public Task<byte[]> GetOrInsertAsync(string tenantId, byte[] candidate, CancellationToken ct) =>
        db.RunAsync(tenantId, async (connection, transaction) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO tenant_data_keys (tenant_id, wrapped_key) VALUES (@tenantId, @candidate) ON CONFLICT (tenant_id) DO NOTHING",
                new { tenantId, candidate }, transaction, cancellationToken: ct));
            return await connection.QuerySingleAsync<byte[]>(new CommandDefinition(
                "SELECT wrapped_key FROM tenant_data_keys WHERE tenant_id = @tenantId", new { tenantId }, transaction, cancellationToken: ct));
        }, ct);

    public Task<byte[]?> GetAsync(string tenantId, CancellationToken ct) =>
        db.RunAsync(tenantId, (connection, transaction) => connection.QuerySingleOrDefaultAsync<byte[]?>(new CommandDefinition(
            "SELECT wrapped_key FROM tenant_data_keys WHERE tenant_id = @tenantId", new { tenantId }, transaction, cancellationToken: ct)), ct);
}
