using Dapper;
using Npgsql;

namespace Smcp.Orchestrator.Data;

internal sealed record SessionRow
{
    public required string TenantId { get; init; }
    public required string Id { get; init; }
    public required string Server { get; init; }
    public required string Principal { get; init; }
    public string? SandboxId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset LastSeenAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public string? EndReason { get; init; }
}

/// <summary>MCP sessions: opened at initialize, touched on use, ended on DELETE or idle timeout.</summary>
internal sealed class SessionStore(TenantDb db)
{
    private const string Columns =
        "tenant_id AS TenantId, id, server, principal, sandbox_id AS SandboxId, created_at AS CreatedAt, " +
        "last_seen_at AS LastSeenAt, ended_at AS EndedAt, end_reason AS EndReason";

    /// <summary>Records a new session; <see cref="StoreOutcome.Conflict"/> when the id is taken.</summary>
    public async Task<StoreResult<SessionRow>> OpenAsync(string tenantId, string id, string server, string principal, string? sandboxId, CancellationToken ct)
    {
        try
        {
            var row = await db.RunAsync(tenantId, (connection, transaction) => connection.QuerySingleAsync<SessionRow>(new CommandDefinition(
                $"INSERT INTO sessions (tenant_id, id, server, principal, sandbox_id) VALUES (@tenantId, @id, @server, @principal, @sandboxId) RETURNING {Columns}",
                new { tenantId, id, server, principal, sandboxId }, transaction, cancellationToken: ct)), ct);
            return StoreResult<SessionRow>.Ok(row);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return StoreResult<SessionRow>.Failed(StoreOutcome.Conflict);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return StoreResult<SessionRow>.Failed(StoreOutcome.MissingReference);
        }
    }

    /// <summary>Ends every open session of a tenant (after a restart, sessions do not survive); returns how many.</summary>
    public Task<int> EndAllOpenAsync(string tenantId, string reason, CancellationToken ct) =>
        db.RunAsync(tenantId, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "UPDATE sessions SET ended_at = now(), end_reason = @reason WHERE tenant_id = @tenantId AND ended_at IS NULL",
            new { tenantId, reason }, transaction, cancellationToken: ct)), ct);

    /// <summary>Ends an open session; false when it is unknown or already ended (the first reason stays).</summary>
    public async Task<bool> EndAsync(string tenantId, string id, string reason, CancellationToken ct) =>
        await db.RunAsync(tenantId, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "UPDATE sessions SET ended_at = now(), end_reason = @reason WHERE tenant_id = @tenantId AND id = @id AND ended_at IS NULL",
            new { tenantId, id, reason }, transaction, cancellationToken: ct)), ct) == 1;

    public Task<SessionRow?> GetAsync(string tenantId, string id, CancellationToken ct) =>
        db.RunAsync(tenantId, (connection, transaction) => connection.QuerySingleOrDefaultAsync<SessionRow>(new CommandDefinition(
            $"SELECT {Columns} FROM sessions WHERE tenant_id = @tenantId AND id = @id",
            new { tenantId, id }, transaction, cancellationToken: ct)), ct);

    public async Task<IReadOnlyList<SessionRow>> ListOpenAsync(string tenantId, CancellationToken ct) =>
        (await db.RunAsync(tenantId, (connection, transaction) => connection.QueryAsync<SessionRow>(new CommandDefinition(
            $"SELECT {Columns} FROM sessions WHERE tenant_id = @tenantId AND ended_at IS NULL ORDER BY created_at, id",
            new { tenantId }, transaction, cancellationToken: ct)), ct)).AsList();
}
