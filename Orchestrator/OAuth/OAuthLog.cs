using Microsoft.Extensions.Logging;

namespace Smcp.Orchestrator.OAuth;

/// <summary>Log messages of the built-in authorization server (event ids 2401–2449). No token, code, secret or key is ever logged.</summary>
internal static partial class OAuthLog
{
    [LoggerMessage(2401, LogLevel.Information, "Made the installation's first token-signing key (ES256)")]
    public static partial void SigningKeyCreated(ILogger logger);

    [LoggerMessage(2402, LogLevel.Information, "Tokens are now signed with key {Kid}; {Published} keys are published")]
    public static partial void SigningKeyChanged(ILogger logger, string kid, int published);

    [LoggerMessage(2403, LogLevel.Warning, "Re-reading the token-signing keys failed; the keys read before stay in use")]
    public static partial void SigningKeysReloadFailed(ILogger logger, Exception exception);

    [LoggerMessage(2404, LogLevel.Warning, "Tenant {Tenant}: a refresh token of family {Family} was used again; the family is revoked")]
    public static partial void RefreshTokenReused(ILogger logger, string tenant, Guid family);

    [LoggerMessage(2405, LogLevel.Warning, "Tenant {Tenant}: an authorization code was redeemed twice; refresh-token family {Family} is revoked")]
    public static partial void CodeReused(ILogger logger, string tenant, Guid family);

    [LoggerMessage(2406, LogLevel.Information, "Tenant {Tenant}: registered client {ClientId} ({AuthMethod})")]
    public static partial void ClientRegistered(ILogger logger, string tenant, string clientId, string authMethod);
}
