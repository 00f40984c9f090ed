using Microsoft.Extensions.Logging;

namespace Smcp.Orchestrator.Config;

/// <summary>Log messages of smcp.yaml loading and hot reload (event ids 2101–2199).</summary>
internal static partial class ConfigLog
{
    [LoggerMessage(2101, LogLevel.Information, "Applied {Path} as configuration version {Version} ({TenantCount} tenants)")]
    public static partial void ConfigApplied(ILogger logger, string path, long version, int tenantCount);

    [LoggerMessage(2102, LogLevel.Error, "Ignored the edit of {Path}: {ErrorCount} errors; configuration version {Version} stays in force:\n{Errors}")]
    public static partial void ConfigRejected(ILogger logger, string path, int errorCount, long version, string errors);

    [LoggerMessage(2103, LogLevel.Warning, "Cannot read {Path} ({Problem}); configuration version {Version} stays in force")]
    public static partial void ConfigUnreadable(ILogger logger, string path, string problem, long version);

    [LoggerMessage(2104, LogLevel.Error, "A handler of the configuration change to version {Version} failed")]
    public static partial void ChangeHandlerFailed(ILogger logger, Exception exception, long version);

    [LoggerMessage(2105, LogLevel.Warning, "Cannot watch {Path} for changes; relying on the check every {Interval}")]
    public static partial void WatcherUnavailable(ILogger logger, Exception exception, string path, TimeSpan interval);
}
