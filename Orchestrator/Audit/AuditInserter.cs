using Npgsql;
using NpgsqlTypes;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.Audit;

/// <summary>Appends one tenant's records to its hash chain in one transaction.</summary>
/// <remarks>
/// Several SMCP processes may write the same tenant at once: a transaction-scoped advisory lock keyed on the
/// tenant serializes them, and the head is read only after the lock is held (in its own statement, so the
/// statement's snapshot includes the previous holder's commit). Binary COPY is not an option: Postgres
/// refuses COPY FROM into a table with row-level security, so the rows go in as one INSERT over unnest().
/// </remarks>
internal sealed class AuditInserter(TenantDb db)
{
    private const string Insert = """
        INSERT INTO audit_log (tenant_id, seq, at, principal, session_id, action, target, outcome,
                               latency_ms, bytes_in, bytes_out, detail, prev_hash, hash, truncated)
        SELECT $1, u.* FROM unnest($2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                                   $9::float8[], $10::bigint[], $11::bigint[], $12::jsonb[], $13::bytea[], $14::bytea[], $15::boolean[]) AS u
        """;

    public Task InsertAsync(string tenantId, IReadOnlyList<AuditRecord> records, CancellationToken ct) =>
        db.RunAsync(tenantId, async (connection, transaction) =>
        {
            await TenantDb.LockTenantAsync(connection, transaction, TenantDb.AuditLock, tenantId, ct);

            var (seq, prevHash) = await ReadHeadAsync(connection, transaction, tenantId, ct);
            var details = await NormalizeDetailsAsync(connection, transaction, records, ct);
            var rows = new AuditRow[records.Count];
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                var row = new AuditRow
                {
                    TenantId = tenantId,
                    Seq = ++seq,
                    At = AuditHash.Truncate(record.At),
                    Principal = record.Principal,
                    SessionId = record.SessionId,
                    Action = record.Action,
                    Target = record.Target,
                    Outcome = record.Outcome,
                    LatencyMs = record.LatencyMs,
                    BytesIn = record.BytesIn,
                    BytesOut = record.BytesOut,
                    DetailJson = details[i],
                    Truncated = record.Truncated,
                    PrevHash = prevHash,
                    Hash = [],
                };
                rows[i] = row with { Hash = AuditHash.Compute(prevHash, row) };
                prevHash = rows[i].Hash;
            }

            await using var insert = new NpgsqlCommand(Insert, connection, transaction);
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenantId });
            insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = rows.Select(r => r.Seq).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = rows.Select(r => r.At.UtcDateTime).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = rows.Select(r => r.Principal).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = rows.Select(r => r.SessionId).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = rows.Select(r => r.Action).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = rows.Select(r => r.Target).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = rows.Select(r => r.Outcome).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = rows.Select(r => r.LatencyMs).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = rows.Select(r => r.BytesIn).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = rows.Select(r => r.BytesOut).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<string?[]>
            {
                TypedValue = rows.Select(r => r.DetailJson).ToArray(),
                NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
            });
            insert.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = rows.Select(r => r.PrevHash).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = rows.Select(r => r.Hash).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = rows.Select(r => r.Truncated).ToArray() });
            await insert.ExecuteNonQueryAsync(ct);
        }, ct);

    private static async Task<(long Seq, byte[] Hash)> ReadHeadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId, CancellationToken ct)
    {
        await using var head = new NpgsqlCommand("SELECT seq, hash FROM audit_log WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1", connection, transaction);
        head.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenantId });
        await using var reader = await head.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1))
            : (0, AuditHash.Genesis.ToArray());
    }

    /// <summary>The text Postgres prints for each detail as jsonb (key order, spacing, numbers): what the hash must cover.</summary>
    private static async Task<string?[]> NormalizeDetailsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<AuditRecord> records, CancellationToken ct)
    {
        var raw = records.Select(r => r.Detail?.GetRawText()).ToArray();
        if (raw.All(d => d is null))
        {
            return raw;
        }

        await using var normalize = new NpgsqlCommand(
            "SELECT array_agg(d::jsonb::text ORDER BY i) FROM unnest($1::text[]) WITH ORDINALITY AS u(d, i)", connection, transaction);
        normalize.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = raw });
        return (string?[])(await normalize.ExecuteScalarAsync(ct))!;
    }
}
