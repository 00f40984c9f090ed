using System.Net;

namespace Smcp.Orchestrator.OAuth.Upstream;

internal static partial class UpstreamLog
{
    [LoggerMessage(2801, LogLevel.Warning, "Upstream sign-in to tenant {Tenant}: the client secret cannot be read from {Source}")]
    public static partial void SecretUnreadable(ILogger logger, string tenant, string? source);

    /// <summary>The reason may quote the provider's answer: only its first 256 characters are logged, control characters as '?'.</summary>
    public static void ProviderFailed(ILogger logger, string tenant, string issuer, string reason) =>
        ProviderFailedCore(logger, tenant, issuer, Pages.AuthorizeEndpoint.Truncated(reason)!);

    [LoggerMessage(2802, LogLevel.Warning, "Upstream sign-in to tenant {Tenant}: provider {Issuer} failed: {Reason}")]
    private static partial void ProviderFailedCore(ILogger logger, string tenant, string issuer, string reason);

    [LoggerMessage(2803, LogLevel.Warning, "Upstream sign-in callback to tenant {Tenant} from {Address} refused: {Reason}")]
    public static partial void CallbackRefused(ILogger logger, string tenant, IPAddress? address, string reason);

    [LoggerMessage(2804, LogLevel.Information, "Upstream sign-in to tenant {Tenant}: provider {Issuer} answered {Error}")]
    public static partial void ProviderRefused(ILogger logger, string tenant, string issuer, string error);

    [LoggerMessage(2805, LogLevel.Warning, "Upstream sign-in to tenant {Tenant} through {Issuer} maps to no user: {Reason}")]
    public static partial void NoUser(ILogger logger, string tenant, string issuer, string reason);

    [LoggerMessage(2806, LogLevel.Information, "User {UserId} of tenant {Tenant} signed in through {Issuer}")]
    public static partial void SignedIn(ILogger logger, string tenant, Guid userId, string issuer);
}
