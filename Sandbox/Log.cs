using Microsoft.Extensions.Logging;

namespace Smcp.Sandbox;

internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Warning, "Sandbox {SandboxId} wrote a stdout line over {MaxBytes} bytes; ending it")]
    public static partial void MessageTooLarge(ILogger logger, string sandboxId, int maxBytes);

    [LoggerMessage(1002, LogLevel.Warning, "Sandbox {SandboxId} did not read its stdin within {Timeout}; ending it")]
    public static partial void StdinBlocked(ILogger logger, string sandboxId, TimeSpan timeout);

    [LoggerMessage(1003, LogLevel.Warning, "Sandbox {SandboxId} stdio failed")]
    public static partial void StdioFailed(ILogger logger, Exception exception, string sandboxId);

    [LoggerMessage(1004, LogLevel.Warning, "Sandbox {SandboxId} (container {ContainerId}) could not be removed")]
    public static partial void RemoveFailed(ILogger logger, Exception exception, string sandboxId, string containerId);

    [LoggerMessage(1005, LogLevel.Information, "Sandbox {SandboxId} started for {Tenant}/{Server} under {Runtime} in {ElapsedMs} ms")]
    public static partial void Started(ILogger logger, string sandboxId, string tenant, string server, string runtime, long elapsedMs);

    [LoggerMessage(1006, LogLevel.Information, "Removed {Count} sandbox containers left over from before the restart (instance {InstanceId})")]
    public static partial void OrphansRemoved(ILogger logger, int count, string instanceId);

    [LoggerMessage(1007, LogLevel.Warning, "Warm pool refill for {Tenant}/{Server} failed")]
    public static partial void RefillFailed(ILogger logger, Exception exception, string tenant, string server);

    [LoggerMessage(1920, LogLevel.Warning, "Sandbox {SandboxId} wrote more to stdout than anyone read ({UnreadBytes} bytes buffered, no room for {Timeout}); ending it")]
    public static partial void StdoutFlood(ILogger logger, string sandboxId, long unreadBytes, TimeSpan timeout);

    [LoggerMessage(1008, LogLevel.Information, "Loaded image {ImageId} for {Tenant}/{Server} as {Reference}")]
    public static partial void ImageLoaded(ILogger logger, string imageId, string tenant, string server, string reference);

    [LoggerMessage(1900, LogLevel.Warning, "Loading an image for {Tenant}/{Server} moved engine tags outside the tenant's names ({Tags}); put them back and refused the load")]
    public static partial void LoadMovedTags(ILogger logger, string tenant, string server, string tags);

    [LoggerMessage(1901, LogLevel.Warning, "Loading an image for {Tenant}/{Server} gave {Loaded}, not the vetted image {Expected}; refused the load")]
    public static partial void LoadedOtherImage(ILogger logger, string tenant, string server, string expected, string loaded);

    [LoggerMessage(1902, LogLevel.Warning, "Image {ImageId} from a refused load could not be removed")]
    public static partial void LoadedImageNotRemoved(ILogger logger, Exception exception, string imageId);

    [LoggerMessage(1903, LogLevel.Error, "Engine tags moved by a refused load for {Tenant}/{Server} could not be put back: {Tags}")]
    public static partial void TagsNotRestored(ILogger logger, string tenant, string server, string tags);

    [LoggerMessage(1904, LogLevel.Warning, "The engine refused a vetted image archive: {Reason}")]
    public static partial void EngineRefusedLoad(ILogger logger, Exception? exception, string reason);
}
