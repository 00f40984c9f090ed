namespace Smcp.Orchestrator.Hosting;

internal static partial class HostLog
{
    [LoggerMessage(2201, LogLevel.Error, "Syncing the tenants of smcp.yaml into Postgres failed; the previous tenant rows stay")]
    public static partial void TenantSyncFailed(ILogger logger, Exception exception);

    [LoggerMessage(2202, LogLevel.Information, "Applied schema migrations {Versions}")]
    public static partial void Migrated(ILogger logger, string versions);
}
