using Smcp.Orchestrator.Audit;

namespace Smcp.Orchestrator.OAuth;

/// <summary>The authorization server's audit rows: tokens issued, clients registered, and reuse of a spent code or refresh token.</summary>
/// <remarks>Plain refusals write no row, so anonymous guessing cannot fill a tenant's audit log; a reuse needs a real, spent secret, and an upstream sign-in a real account at the tenant's provider.</remarks>
internal sealed class OAuthAudit(AuditWriter writer, TimeProvider time)
{
    public const string TokenIssued = "oauth.token";
    public const string CodeReused = "oauth.code-reuse";
    public const string RefreshTokenReused = "oauth.refresh-reuse";
    public const string ClientRegistered = "oauth-client.register";

    /// <summary>A person came back from the tenant's upstream provider: signed in as a user (<c>ok</c>), or matching none (<c>refused</c>).</summary>
    public const string UpstreamSignIn = "oauth.upstream-sign-in";

    /// <param name="principal"><c>user:{uuid}</c>, <c>client:{client_id}</c>, or null for an anonymous registration.</param>
    /// <param name="clientId">The client the event is about: the row's target.</param>
    public Task RecordAsync(string tenant, string? principal, string action, string clientId, string outcome) =>
        writer.WriteAsync(new AuditRecord
        {
            TenantId = tenant,
            At = time.GetUtcNow(),
            Principal = principal,
            Action = action,
            Target = clientId,
            Outcome = outcome,
        }, CancellationToken.None);
}
