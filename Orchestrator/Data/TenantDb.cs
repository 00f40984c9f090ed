using Npgsql;

namespace Smcp.Orchestrator.Data;

/// <summary>The unit of work: one connection, one transaction, scoped to one tenant by row-level security.</summary>
/// <remarks>
/// <c>smcp.tenant_id</c> is set with <c>set_config(…, true)</c>, so it lives only as long as the transaction
/// and cannot leak to the next user of a pooled connection. Without it every tenant table looks empty.
/// </remarks>
internal sealed class TenantDb(NpgsqlDataSource dataSource)
{
    /// <summary>The data source of the application role (smcp_app).</summary>
    public NpgsqlDataSource DataSource => dataSource;

    public async Task<T> RunAsync<T>(string tenantId, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken ct)
    {
        DataIds.ThrowIfInvalid(tenantId, nameof(tenantId));
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var scope = new NpgsqlCommand("SELECT set_config('smcp.tenant_id', $1, true)", connection, transaction))
        {
            scope.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenantId });
            await scope.ExecuteNonQueryAsync(ct);
        }

        var result = await work(connection, transaction);
        await transaction.CommitAsync(ct);
        return result;
    }

    /// <summary>Lock scope of the transactions that check a quota and then add to it (servers, image bytes).</summary>
    public const string QuotaLock = "smcp.quota";

    /// <summary>Lock scope of the transactions that extend a tenant's audit hash chain.</summary>
    public const string AuditLock = "smcp.audit";

    /// <summary>
    /// Serializes, until the transaction ends, one tenant's transactions of one <paramref name="scope"/>, across
    /// every SMCP process: without it two at once could each see the same quota room or the same chain head.
    /// </summary>
    public static async Task LockTenantAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string scope, string tenantId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 0))", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = scope });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenantId });
        await command.ExecuteNonQueryAsync(ct);
    }

    public Task RunAsync(string tenantId, Func<NpgsqlConnection, NpgsqlTransaction, Task> work, CancellationToken ct) =>
        RunAsync(tenantId, async (connection, transaction) =>
        {
            await work(connection, transaction);
            return true;
        }, ct);
}
