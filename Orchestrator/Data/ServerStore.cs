using System.Text.Json;
using Dapper;
using Npgsql;

namespace Smcp.Orchestrator.Data;

/// <summary>A deployed server: a tenant's image with its arguments and (non-secret) environment.</summary>
internal sealed record ServerRow
{
    public required string TenantId { get; init; }
    public required string Name { get; init; }
    public required string ImageId { get; init; }
    public IReadOnlyList<string> Args { get; init; } = [];
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

internal sealed class ServerStore(TenantDb db)
{
    private const string Columns =
        "tenant_id AS TenantId, name, image_id AS ImageId, args::text AS Args, env::text AS Env, created_at AS CreatedAt, updated_at AS UpdatedAt";

    /// <summary>
    /// Creates or replaces a server; <see cref="StoreOutcome.MissingReference"/> when the tenant has no such image,
    /// <see cref="StoreOutcome.QuotaExceeded"/> when a new server would be one more than <paramref name="maxServers"/>.
    /// </summary>
    /// <remarks>The count and the insert happen under one per-tenant lock, so deploys at once cannot pass the quota together.</remarks>
    public async Task<StoreResult<ServerRow>> UpsertAsync(
        string tenantId, string name, string imageId, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> env, int maxServers, CancellationToken ct)
    {
        DataIds.ThrowIfInvalid(name, nameof(name));
        var parameters = new
        {
            tenantId,
            name,
            imageId,
            args = JsonSerializer.Serialize(args.ToArray(), DataJsonContext.Default.StringArray),
            env = JsonSerializer.Serialize(new Dictionary<string, string>(env), DataJsonContext.Default.DictionaryStringString),
        };
        try
        {
            var raw = await db.RunAsync(tenantId, async (connection, transaction) =>
            {
                await TenantDb.LockTenantAsync(connection, transaction, TenantDb.QuotaLock, tenantId, ct).ConfigureAwait(false);
                var (others, same) = await connection.QuerySingleAsync<(long Others, long Same)>(new CommandDefinition(
                    "SELECT count(*) FILTER (WHERE name <> @name), count(*) FILTER (WHERE name = @name) FROM servers WHERE tenant_id = @tenantId",
                    parameters, transaction, cancellationToken: ct)).ConfigureAwait(false);
                if (same == 0 && others >= maxServers)
                {
                    return null;
                }

                return await connection.QuerySingleAsync<RawServer>(new CommandDefinition(
                    $"""
                    INSERT INTO servers (tenant_id, name, image_id, args, env) VALUES (@tenantId, @name, @imageId, @args::jsonb, @env::jsonb)
                    ON CONFLICT (tenant_id, name) DO UPDATE SET image_id = excluded.image_id, args = excluded.args, env = excluded.env, updated_at = now()
                    RETURNING {Columns}
                    """, parameters, transaction, cancellationToken: ct)).ConfigureAwait(false);
            }, ct);
            return raw is null ? StoreResult<ServerRow>.Failed(StoreOutcome.QuotaExceeded) : StoreResult<ServerRow>.Ok(raw.ToRow());
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return StoreResult<ServerRow>.Failed(StoreOutcome.MissingReference);
        }
    }

    public async Task<ServerRow?> GetAsync(string tenantId, string name, CancellationToken ct) =>
        (await db.RunAsync(tenantId, (connection, transaction) => connection.QuerySingleOrDefaultAsync<RawServer>(new CommandDefinition(
            $"SELECT {Columns} FROM servers WHERE tenant_id = @tenantId AND name = @name",
            new { tenantId, name }, transaction, cancellationToken: ct)), ct))?.ToRow();

    public async Task<IReadOnlyList<ServerRow>> ListAsync(string tenantId, CancellationToken ct) =>
        (await db.RunAsync(tenantId, (connection, transaction) => connection.QueryAsync<RawServer>(new CommandDefinition(
            $"SELECT {Columns} FROM servers WHERE tenant_id = @tenantId ORDER BY name",
            new { tenantId }, transaction, cancellationToken: ct)), ct)).Select(raw => raw.ToRow()).ToList();

    public async Task<bool> DeleteAsync(string tenantId, string name, CancellationToken ct) =>
        await db.RunAsync(tenantId, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM servers WHERE tenant_id = @tenantId AND name = @name", new { tenantId, name }, transaction, cancellationToken: ct)), ct) == 1;

    private sealed record RawServer
    {
        public required string TenantId { get; init; }
        public required string Name { get; init; }
        public required string ImageId { get; init; }
        public required string Args { get; init; }
        public required string Env { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }

        public ServerRow ToRow() => new()
        {
            TenantId = TenantId,
            Name = Name,
            ImageId = ImageId,
            Args = JsonSerializer.Deserialize(Args, DataJsonContext.Default.StringArray) ?? [],
            Env = JsonSerializer.Deserialize(Env, DataJsonContext.Default.DictionaryStringString) ?? [],
            CreatedAt = CreatedAt,
            UpdatedAt = UpdatedAt,
        };
    }
}
