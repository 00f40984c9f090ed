using Microsoft.Extensions.Logging;

namespace Smcp.Orchestrator.Data;

/// <summary>Log messages of the data layer and the audit writer (event ids 2001–2099).</summary>
internal static partial class DataLog
{
    [LoggerMessage(2001, LogLevel.Information, "Applied schema migration {Version:D3}_{Name} in {ElapsedMs} ms")]
    public static partial void MigrationApplied(ILogger logger, int version, string name, long elapsedMs);

    [LoggerMessage(2002, LogLevel.Information, "Tenant sync: {Upserted} tenants from the file, {Removed} marked removed")]
    public static partial void TenantsSynced(ILogger logger, int upserted, int removed);

    [LoggerMessage(2010, LogLevel.Warning, "Writing {Count} audit rows for tenant {Tenant} failed (attempt {Attempt}); retrying in {DelayMs} ms")]
    public static partial void AuditBatchFailed(ILogger logger, Exception exception, int count, string tenant, int attempt, long delayMs);

    [LoggerMessage(2011, LogLevel.Warning, "Postgres refused the detail of an audit row for tenant {Tenant} ({SqlState}); the row is written with the detail replaced")]
    public static partial void AuditDetailRejected(ILogger logger, string tenant, string sqlState);

    [LoggerMessage(2012, LogLevel.Information, "Audit writer stopped; {Count} rows were flushed while draining")]
    public static partial void AuditWriterDrained(ILogger logger, long count);
}
