using Microsoft.Extensions.Logging;

namespace Smcp.Proxy;

internal static partial class Log
{
    private static readonly Func<ILogger, string, string, string, IDisposable?> Scope =
        LoggerMessage.DefineScope<string, string, string>("Tenant {Tenant} server {Server} session {SessionId}");

    /// <summary>The scope of everything logged for one session: its tenant (from the credential), server and id.</summary>
    public static IDisposable? SessionScope(ILogger logger, string tenant, string server, string sessionId) => Scope(logger, tenant, server, sessionId);

    [LoggerMessage(3001, LogLevel.Information, "Session {SessionId} opened for {Tenant}/{Server} by {Principal} on sandbox {SandboxId}")]
    public static partial void SessionOpened(ILogger logger, string sessionId, string tenant, string server, string principal, string sandboxId);

    [LoggerMessage(3002, LogLevel.Information, "Session {SessionId} of {Tenant}/{Server} ended: {Reason}")]
    public static partial void SessionEnded(ILogger logger, string sessionId, string tenant, string server, string reason);

    [LoggerMessage(3003, LogLevel.Debug, "Session {SessionId}: a server message was not JSON-RPC; dropped")]
    public static partial void UnroutableServerMessage(ILogger logger, string sessionId);

    [LoggerMessage(3004, LogLevel.Warning, "Session {SessionId}: reading the sandbox's messages failed")]
    public static partial void ReaderFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(3005, LogLevel.Warning, "Session {SessionId}: the recorder failed")]
    public static partial void RecorderFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(3006, LogLevel.Warning, "No sandbox for {Tenant}/{Server}: {Error}")]
    public static partial void SandboxUnavailable(ILogger logger, string tenant, string server, Sandbox.SandboxError error);

    [LoggerMessage(3007, LogLevel.Information, "Session {SessionId} idle for {Idle}; ending it")]
    public static partial void SessionIdle(ILogger logger, string sessionId, TimeSpan idle);

    [LoggerMessage(3008, LogLevel.Warning, "Session {SessionId}: stream {Stream} lost events before a reader got them (replay buffer full)")]
    public static partial void ReplayGap(ILogger logger, string sessionId, int stream);

    [LoggerMessage(3940, LogLevel.Debug, "Session {SessionId}: a server message of {Bytes} bytes for stream {Stream} did not fit its share or the budget; dropped ({Dropped} dropped from that stream)")]
    public static partial void NoticeDropped(ILogger logger, string sessionId, int stream, int bytes, long dropped);

    [LoggerMessage(3941, LogLevel.Warning, "Session {SessionId}: an answer of {Bytes} bytes did not fit the session's buffer; the request got an error instead")]
    public static partial void AnswerTooLarge(ILogger logger, string sessionId, int bytes);

    [LoggerMessage(3942, LogLevel.Debug, "Session {SessionId}: a server response matched no pending request; dropped ({Count} so far)")]
    public static partial void UnroutedResponse(ILogger logger, string sessionId, long count);

    [LoggerMessage(3960, LogLevel.Information, "Session {SessionId} of {Tenant} idle for {Idle} is reclaimed: the tenant is at its limit of sandboxes and a new session needs one")]
    public static partial void SessionReclaimed(ILogger logger, string sessionId, string tenant, TimeSpan idle);

    [LoggerMessage(3961, LogLevel.Information, "A warm sandbox of {Tenant} is stopped: the tenant is at its limit of sandboxes and a new session needs one")]
    public static partial void WarmSandboxDropped(ILogger logger, string tenant);

    [LoggerMessage(3962, LogLevel.Information, "Session {SessionId} of {Tenant} is ended: the tenant is no longer active")]
    public static partial void SessionOfInactiveTenant(ILogger logger, string sessionId, string tenant);

    [LoggerMessage(3970, LogLevel.Warning, "Session {SessionId} of {Tenant}/{Server}: the tool-definition scan removed {Removed} entries from a {Method} answer ({Findings} findings; the audit row names them)")]
    public static partial void ListingFiltered(ILogger logger, string sessionId, string tenant, string server, int removed, string method, int findings);

    [LoggerMessage(3971, LogLevel.Warning, "Session {SessionId} of {Tenant}/{Server}: the tool-definition scan withheld a {Method} answer it could not read")]
    public static partial void ListingWithheld(ILogger logger, string sessionId, string tenant, string server, string method);

    [LoggerMessage(3980, LogLevel.Warning, "Session {SessionId} of {Tenant}/{Server}: tool pinning {Action}, {Outcome} (the audit row names the tools)")]
    public static partial void PinEvent(ILogger logger, string sessionId, string tenant, string server, string action, string outcome);

    [LoggerMessage(3101, LogLevel.Warning, "The keys of issuer {Issuer} could not be fetched: {Reason}; its tokens with unknown key ids are refused")]
    public static partial void JwksFetchFailed(ILogger logger, string issuer, string reason);

    [LoggerMessage(3102, LogLevel.Warning, "The keys of issuer {Issuer} are unusable: {Reason}")]
    public static partial void JwksUnusable(ILogger logger, string issuer, string reason);

    [LoggerMessage(3103, LogLevel.Debug, "An access token for {Tenant}/{Server} was refused: {Reason}")]
    public static partial void TokenRefused(ILogger logger, string tenant, string server, string reason);

    [LoggerMessage(3990, LogLevel.Warning, "A stateless sandbox {SandboxId} for {Tenant}/{Server}: its server answered neither server/discover nor initialize in time; ended")]
    public static partial void StatelessProbeFailed(ILogger logger, string tenant, string server, string sandboxId);

    [LoggerMessage(3995, LogLevel.Warning, "A request for a session of {Tenant}/{Server} could not be forwarded to its replica at {Owner}: {Error} after {Ms:0} ms")]
    public static partial void ForwardFailed(ILogger logger, string tenant, string server, string owner, Yarp.ReverseProxy.Forwarder.ForwarderError error, double ms);
}
