using Dapper;
using Npgsql;

namespace Smcp.Orchestrator.Data;

internal static class ApiKeyRoles
{
    public const string TenantAdmin = "tenant-admin";
    public const string TenantUser = "tenant-user";
    public const string ReadOnly = "read-only";

    public static bool IsValid(string role) => role is TenantAdmin or TenantUser or ReadOnly;
}

/// <summary>An API key as listed: never with its hash.</summary>
internal sealed record ApiKeyRow
{
    public required string TenantId { get; init; }
    public Guid Id { get; init; }
    public required string Name { get; init; }
    public required string Role { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
    public DateTimeOffset? LastUsedAt { get; init; }
}

/// <summary>API keys, stored as the SHA-256 of the full key.</summary>
internal sealed class ApiKeyStore(TenantDb db)
{
    private const string Columns =
        "tenant_id AS TenantId, id, name, role, created_at AS CreatedAt, revoked_at AS RevokedAt, last_used_at AS LastUsedAt";

    /// <summary>Adds a key; <see cref="StoreOutcome.Conflict"/> when an active key has the same name or hash.</summary>
    public async Task<StoreResult<ApiKeyRow>> CreateAsync(string tenantId, string name, string role, byte[] hash, CancellationToken ct)
    {
        if (!ApiKeyRoles.IsValid(role))
        {
            throw new ArgumentException($"'{role}' is not an API key role", nameof(role));
        }

        if (hash.Length != 32)
        {
            throw new ArgumentException("An API key hash is the 32-byte SHA-256 of the key", nameof(hash));
        }

        try
        {
            var row = await db.RunAsync(tenantId, (connection, transaction) => connection.QuerySingleAsync<ApiKeyRow>(new CommandDefinition(
                $"INSERT INTO api_keys (tenant_id, name, role, hash) VALUES (@tenantId, @name, @role, @hash) RETURNING {Columns}",
                new { tenantId, name, role, hash }, transaction, cancellationToken: ct)), ct);
            return StoreResult<ApiKeyRow>.Ok(row);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return StoreResult<ApiKeyRow>.Failed(StoreOutcome.Conflict);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return StoreResult<ApiKeyRow>.Failed(StoreOutcome.MissingReference);
        }
    }

    /// <summary>The tenant's active (not revoked) key with this hash, or null.</summary>
    public Task<ApiKeyRow?> FindActiveByHashAsync(string tenantId, byte[] hash, CancellationToken ct) =>
        db.RunAsync(tenantId, (connection, transaction) => connection.QuerySingleOrDefaultAsync<ApiKeyRow>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys WHERE tenant_id = @tenantId AND hash = @hash AND revoked_at IS NULL",
            new { tenantId, hash }, transaction, cancellationToken: ct)), ct);

    public async Task<IReadOnlyList<ApiKeyRow>> ListAsync(string tenantId, CancellationToken ct) =>
        (await db.RunAsync(tenantId, (connection, transaction) => connection.QueryAsync<ApiKeyRow>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys WHERE tenant_id = @tenantId ORDER BY created_at, name",
            new { tenantId }, transaction, cancellationToken: ct)), ct)).AsList();

    /// <summary>Revokes an active key; false when there is no such active key.</summary>
    public async Task<bool> RevokeAsync(string tenantId, Guid id, CancellationToken ct) =>
        await db.RunAsync(tenantId, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET revoked_at = now() WHERE tenant_id = @tenantId AND id = @id AND revoked_at IS NULL",
            new { tenantId, id }, transaction, cancellationToken: ct)), ct) == 1;

    public async Task<bool> TouchAsync(string tenantId, Guid id, CancellationToken ct) =>
        await db.RunAsync(tenantId, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET last_used_at = now() WHERE tenant_id = @tenantId AND id = @id",
            new { tenantId, id }, transaction, cancellationToken: ct)), ct) == 1;
}
