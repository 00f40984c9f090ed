using Dapper;

namespace Smcp.Orchestrator.Data;

/// <summary>Secrets as ciphertext only: encryption with the tenant's data key happens before this store.</summary>
internal sealed class SecretStore(TenantDb db)
{
    public Task SetAsync(string tenantId, string server, string name, byte[] ciphertext, CancellationToken ct) =>
        db.RunAsync(tenantId, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO secrets (tenant_id, server, name, ciphertext) VALUES (@tenantId, @server, @name, @ciphertext)
            ON CONFLICT (tenant_id, server, name) DO UPDATE SET ciphertext = excluded.ciphertext, updated_at = now()
            """, new { tenantId, server, name, ciphertext }, transaction, cancellationToken: ct)), ct);

    public Task<byte[]?> GetAsync(string tenantId, string server, string name, CancellationToken ct) =>
        db.RunAsync(tenantId, (connection, transaction) => connection.QuerySingleOrDefaultAsync<byte[]?>(new CommandDefinition(
            "SELECT ciphertext FROM secrets WHERE tenant_id = @tenantId AND server = @server AND name = @name",
            new { tenantId, server, name }, transaction, cancellationToken: ct)), ct);

    /// <summary>All ciphertexts of a server's secrets by name, for starting a sandbox.</summary>
    public async Task<IReadOnlyDictionary<string, byte[]>> GetAllAsync(string tenantId, string server, CancellationToken ct) =>
        (await db.RunAsync(tenantId, (connection, transaction) => connection.QueryAsync<(string Name, byte[] Ciphertext)>(new CommandDefinition(
            "SELECT name, ciphertext FROM secrets WHERE tenant_id = @tenantId AND server = @server",
            new { tenantId, server }, transaction, cancellationToken: ct)), ct)).ToDictionary(s => s.Name, s => s.Ciphertext, StringComparer.Ordinal);

    public async Task<IReadOnlyList<string>> ListNamesAsync(string tenantId, string server, CancellationToken ct) =>
        (await db.RunAsync(tenantId, (connection, transaction) => connection.QueryAsync<string>(new CommandDefinition(
            "SELECT name FROM secrets WHERE tenant_id = @tenantId AND server = @server ORDER BY name",
            new { tenantId, server }, transaction, cancellationToken: ct)), ct)).AsList();

    public async Task<bool> DeleteAsync(string tenantId, string server, string name, CancellationToken ct) =>
        await db.RunAsync(tenantId, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM secrets WHERE tenant_id = @tenantId AND server = @server AND name = @name",
            new { tenantId, server, name }, transaction, cancellationToken: ct)), ct) == 1;
}
