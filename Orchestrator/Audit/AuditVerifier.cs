using Npgsql;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.Audit;

internal enum AuditBreakKind
{
    /// <summary>The row's hash is not the hash of its content: the row was edited.</summary>
    HashMismatch,

    /// <summary>The row's prev_hash is not the previous row's hash: a row before it was replaced.</summary>
    PrevHashMismatch,

    /// <summary>A seq is missing: a row was deleted.</summary>
    SeqGap,
}

/// <summary>Where the chain breaks first. For a gap, <see cref="Seq"/> is the first missing seq.</summary>
internal sealed record AuditBreak(long Seq, AuditBreakKind Kind, string Reason);

/// <summary>The result of walking a tenant's chain: the rows that verified, and the first break if any.</summary>
internal sealed record AuditVerification(long RowsChecked, AuditBreak? FirstBreak)
{
    public bool IsIntact => FirstBreak is null;
}

/// <summary>Walks a tenant's audit chain from seq 1, streaming the rows.</summary>
/// <remarks>Rows deleted from the end of the chain leave no gap; comparing the head with an earlier verified head catches that.</remarks>
internal sealed class AuditVerifier(TenantDb db)
{
    public Task<AuditVerification> VerifyAsync(string tenantId, CancellationToken ct) =>
        db.RunAsync(tenantId, async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand($"{AuditQuery.Select} WHERE tenant_id = $1 ORDER BY seq", connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tenantId });
            await using var reader = await command.ExecuteReaderAsync(ct);
            var expected = 1L;
            var prevHash = AuditHash.Genesis.ToArray();
            while (await reader.ReadAsync(ct))
            {
                var row = AuditQuery.Read(reader);
                if (row.Seq != expected)
                {
                    return new AuditVerification(expected - 1, new AuditBreak(expected, AuditBreakKind.SeqGap, $"seq {expected} is missing; the next row is seq {row.Seq}"));
                }

                if (!row.PrevHash.AsSpan().SequenceEqual(prevHash))
                {
                    return new AuditVerification(expected - 1, new AuditBreak(row.Seq, AuditBreakKind.PrevHashMismatch, $"seq {row.Seq} does not link to the hash of seq {row.Seq - 1}"));
                }

                if (!AuditHash.Compute(prevHash, row).AsSpan().SequenceEqual(row.Hash))
                {
                    return new AuditVerification(expected - 1, new AuditBreak(row.Seq, AuditBreakKind.HashMismatch, $"seq {row.Seq} does not match its hash: its content changed"));
                }

                prevHash = row.Hash;
                expected++;
            }

            return new AuditVerification(expected - 1, null);
        }, ct);
}
