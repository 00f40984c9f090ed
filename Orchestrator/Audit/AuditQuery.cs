using Npgsql;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.Audit;

/// <summary>Reads a tenant's audit rows, for the tenant API and the verifier.</summary>
internal sealed class AuditQuery(TenantDb db)
{
    internal const string Select = """
        SELECT tenant_id, seq, at, principal, session_id, action, target, outcome,
               latency_ms, bytes_in, bytes_out, detail::text, prev_hash, hash, truncated
        FROM audit_log
        """;

    /// <summary>Up to <paramref name="limit"/> rows after <paramref name="afterSeq"/>, oldest first.</summary>
    public Task<IReadOnlyList<AuditRow>> ReadAsync(string tenantId, long afterSeq, int limit, CancellationToken ct) =>
        db.RunAsync<IReadOnlyList<AuditRow>>(tenantId, async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand($"{Select} WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT $3", connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenantId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeq });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
            await using var reader = await command.ExecuteReaderAsync(ct);
            var rows = new List<AuditRow>();
            while (await reader.ReadAsync(ct))
            {
                rows.Add(Read(reader));
            }

            return rows;
        }, ct);

    internal static AuditRow Read(NpgsqlDataReader reader) => new()
    {
        TenantId = reader.GetString(0),
        Seq = reader.GetInt64(1),
        At = reader.GetFieldValue<DateTimeOffset>(2),
        Principal = reader.IsDBNull(3) ? null : reader.GetString(3),
        SessionId = reader.IsDBNull(4) ? null : reader.GetString(4),
        Action = reader.GetString(5),
        Target = reader.IsDBNull(6) ? null : reader.GetString(6),
        Outcome = reader.GetString(7),
        LatencyMs = reader.GetDouble(8),
        BytesIn = reader.GetInt64(9),
        BytesOut = reader.GetInt64(10),
        DetailJson = reader.IsDBNull(11) ? null : reader.GetString(11),
        PrevHash = reader.GetFieldValue<byte[]>(12),
        Hash = reader.GetFieldValue<byte[]>(13),
        Truncated = reader.GetBoolean(14),
    };
}
