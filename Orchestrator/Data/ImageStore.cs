using Dapper;
using Npgsql;

namespace Smcp.Orchestrator.Data;

/// <summary>An uploaded image; <see cref="VettingJson"/> is the vetting report as JSON.</summary>
internal sealed record ImageRow
{
    public required string TenantId { get; init; }
    public required string Id { get; init; }
    public required string DockerId { get; init; }
    public required string Reference { get; init; }
    public long SizeBytes { get; init; }
    public string VettingJson { get; init; } = "{}";
    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class ImageStore(TenantDb db)
{
    private const string Columns =
        "tenant_id AS TenantId, id, docker_id AS DockerId, reference, size_bytes AS SizeBytes, vetting::text AS VettingJson, created_at AS CreatedAt";

    /// <summary>
    /// Records an image; <see cref="StoreOutcome.Conflict"/> when the tenant already has one with this id,
    /// <see cref="StoreOutcome.QuotaExceeded"/> when its bytes would take the tenant's images past <paramref name="totalBytes"/>.
    /// </summary>
    /// <remarks>The sum and the insert happen under the tenant's quota lock, so uploads at once cannot pass the quota together.</remarks>
    public async Task<StoreResult<ImageRow>> AddAsync(ImageRow image, long totalBytes, CancellationToken ct)
    {
        try
        {
            var (outcome, row) = await db.RunAsync<(StoreOutcome, ImageRow?)>(image.TenantId, async (connection, transaction) =>
            {
                await TenantDb.LockTenantAsync(connection, transaction, TenantDb.QuotaLock, image.TenantId, ct).ConfigureAwait(false);
                var (stored, same) = await connection.QuerySingleAsync<(long Stored, long Same)>(new CommandDefinition(
                    "SELECT coalesce(sum(size_bytes), 0)::bigint, count(*) FILTER (WHERE id = @Id) FROM images WHERE tenant_id = @TenantId",
                    image, transaction, cancellationToken: ct)).ConfigureAwait(false);
                if (same > 0)
                {
                    return (StoreOutcome.Conflict, null);
                }

                if (stored + image.SizeBytes > totalBytes)
                {
                    return (StoreOutcome.QuotaExceeded, null);
                }

                return (StoreOutcome.Ok, await connection.QuerySingleAsync<ImageRow>(new CommandDefinition(
                    $"""
                    INSERT INTO images (tenant_id, id, docker_id, reference, size_bytes, vetting)
                    VALUES (@TenantId, @Id, @DockerId, @Reference, @SizeBytes, @VettingJson::jsonb)
                    RETURNING {Columns}
                    """, image, transaction, cancellationToken: ct)).ConfigureAwait(false));
            }, ct);
            return row is null ? StoreResult<ImageRow>.Failed(outcome) : StoreResult<ImageRow>.Ok(row);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return StoreResult<ImageRow>.Failed(StoreOutcome.Conflict);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return StoreResult<ImageRow>.Failed(StoreOutcome.MissingReference);
        }
    }

    public Task<ImageRow?> GetAsync(string tenantId, string id, CancellationToken ct) =>
        db.RunAsync(tenantId, (connection, transaction) => connection.QuerySingleOrDefaultAsync<ImageRow>(new CommandDefinition(
            $"SELECT {Columns} FROM images WHERE tenant_id = @tenantId AND id = @id",
            new { tenantId, id }, transaction, cancellationToken: ct)), ct);

    public async Task<IReadOnlyList<ImageRow>> ListAsync(string tenantId, CancellationToken ct) =>
        (await db.RunAsync(tenantId, (connection, transaction) => connection.QueryAsync<ImageRow>(new CommandDefinition(
            $"SELECT {Columns} FROM images WHERE tenant_id = @tenantId ORDER BY created_at, id",
            new { tenantId }, transaction, cancellationToken: ct)), ct)).AsList();

    /// <summary>Deletes an image; <see cref="StoreOutcome.InUse"/> while a server runs it.</summary>
    public async Task<StoreOutcome> DeleteAsync(string tenantId, string id, CancellationToken ct)
    {
        try
        {
            var deleted = await db.RunAsync(tenantId, (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM images WHERE tenant_id = @tenantId AND id = @id", new { tenantId, id }, transaction, cancellationToken: ct)), ct);
            return deleted == 1 ? StoreOutcome.Ok : StoreOutcome.NotFound;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return StoreOutcome.InUse;
        }
    }
}
