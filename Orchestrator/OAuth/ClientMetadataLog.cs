using Microsoft.Extensions.Logging;

namespace Smcp.Orchestrator.OAuth;

/// <summary>Log messages of the client ID metadata document fetcher: hosts only, never a full URL, body or address.</summary>
internal static partial class ClientMetadataLog
{
    [LoggerMessage(2661, LogLevel.Warning, "Refused the client metadata document from host {Host}: {Reason}")]
    public static partial void DocumentRefused(ILogger logger, string host, string reason);

    [LoggerMessage(2662, LogLevel.Warning, "Could not fetch the client metadata document from host {Host} ({Error})")]
    public static partial void FetchFailed(ILogger logger, string host, string error);

    [LoggerMessage(2663, LogLevel.Error, "Cannot read the trusted certificates file {Path} for client metadata documents; only the system's roots are trusted")]
    public static partial void TrustedCertificatesUnreadable(ILogger logger, Exception exception, string path);

    [LoggerMessage(2664, LogLevel.Error, "Fetching the client metadata document from host {Host} failed unexpectedly")]
    public static partial void FetchCrashed(ILogger logger, Exception exception, string host);
}
