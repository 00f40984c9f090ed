namespace Smcp.Orchestrator.Hosting;

internal static partial class HostLog
{
    [LoggerMessage(2201, LogLevel.Error, "Applying an smcp.yaml change failed (tenant rows in Postgres, or ending a shut-out tenant's sessions)")]
    public static partial void TenantSyncFailed(ILogger logger, Exception exception);

    [LoggerMessage(2202, LogLevel.Warning, "Tenant {Tenant} is no longer active: ended {Sessions} live sessions and its warm sandboxes")]
    public static partial void TenantShutOut(ILogger logger, string tenant, int sessions);

    [LoggerMessage(2203, LogLevel.Error, "Could not warm the pool of {Tenant}/{Server}; its first session will cold-start")]
    public static partial void WarmFailed(ILogger logger, Exception exception, string tenant, string server);

    [LoggerMessage(2204, LogLevel.Warning, "The engine kept image name {Reference} after its image was deleted")]
    public static partial void ImageUntagFailed(ILogger logger, Exception exception, string reference);

    [LoggerMessage(2205, LogLevel.Warning, "{Method} {Path} answered 503: the database is unavailable ({Error})")]
    public static partial void DatabaseUnavailable(ILogger logger, string method, string path, string error);

    [LoggerMessage(2206, LogLevel.Information, "Replica {Replica} took its lease at {Address}; {Ended} session rows of gone replicas or earlier runs ended")]
    public static partial void ReplicaRegistered(ILogger logger, string replica, string address, int ended);

    [LoggerMessage(2207, LogLevel.Error, "Replica {Replica} lost its lease (no heartbeat within it); {Ended} live sessions ended, lease taken again")]
    public static partial void ReplicaLeaseLost(ILogger logger, string replica, int ended);

    [LoggerMessage(2208, LogLevel.Warning, "Replica {Replica} could not renew its lease or sweep")]
    public static partial void ReplicaHeartbeatFailed(ILogger logger, Exception exception, string replica);

    [LoggerMessage(2209, LogLevel.Information, "Swept {Rows} directory rows of gone replicas")]
    public static partial void ReplicaSwept(ILogger logger, int rows);
}
