using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Smcp.Orchestrator.Audit;
using Smcp.Orchestrator.Data;

namespace Smcp.Orchestrator.Tests.Audit;

internal static class AuditTestSupport
{
    public static AuditWriter Writer(NpgsqlDataSource dataSource, int capacity = 8192, int maxBatch = 1000, int queueBytes = 16 * 1024 * 1024) =>
        new(new TenantDb(dataSource), Options.Create(new AuditWriterOptions { Capacity = capacity, MaxBatch = maxBatch, QueueBytes = queueBytes }),
            TimeProvider.System, NullLogger<AuditWriter>.Instance);

    public static AuditRecord Record(string tenant, string target) => new()
    {
        TenantId = tenant,
        At = DateTimeOffset.UtcNow,
        Principal = "key:ci",
        SessionId = "session-1",
        Action = "tools/call",
        Target = target,
        Outcome = "ok",
        LatencyMs = 1.25,
        BytesIn = 10,
        BytesOut = 20,
    };

    /// <summary>The count, the distinct seqs and the highest seq of a tenant's rows, read as superuser.</summary>
    public static async Task<string> ShapeAsync(Support.PostgresFixture pg, string tenant) =>
        await pg.SuperuserScalarAsync<string>(
            $"SELECT format('%s rows, %s distinct, max %s', count(*), count(DISTINCT seq), coalesce(max(seq), 0)) FROM audit_log WHERE tenant_id = '{tenant}'");
}
