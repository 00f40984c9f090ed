using System.Net;

namespace Smcp.Orchestrator.OAuth.Pages;

internal static partial class OAuthPagesLog
{
    [LoggerMessage(2701, LogLevel.Information, "Authorization request of client {ClientId} on tenant {Tenant} refused before its redirect URI was established: {Reason}")]
    public static partial void RequestShownError(ILogger logger, string tenant, string? clientId, string reason);

    [LoggerMessage(2702, LogLevel.Information, "Authorization request of client {ClientId} on tenant {Tenant} refused with {Error}")]
    public static partial void RequestRedirectedError(ILogger logger, string tenant, string? clientId, string error);

    [LoggerMessage(2703, LogLevel.Warning, "Sign-in to tenant {Tenant} refused for an address at {Address}: wrong email or password, or the account is locked")]
    public static partial void SignInRefused(ILogger logger, string tenant, IPAddress? address);

    [LoggerMessage(2704, LogLevel.Warning, "Sign-in attempts from {Address} are over their rate; refused for {RetryAfter}")]
    public static partial void SignInLimited(ILogger logger, IPAddress? address, TimeSpan retryAfter);

    [LoggerMessage(2705, LogLevel.Warning, "A {Step} form post to tenant {Tenant} from {Address} was refused: {Reason}")]
    public static partial void FormRefused(ILogger logger, string step, string tenant, IPAddress? address, string reason);

    [LoggerMessage(2706, LogLevel.Information, "User {UserId} of tenant {Tenant} approved client {ClientId}: authorization code issued")]
    public static partial void CodeIssued(ILogger logger, string tenant, Guid userId, string clientId);

    [LoggerMessage(2707, LogLevel.Information, "User {UserId} of tenant {Tenant} denied client {ClientId}")]
    public static partial void ConsentDenied(ILogger logger, string tenant, Guid userId, string clientId);
}
