using System.Security.Claims;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.OAuth.Users;

namespace Smcp.Orchestrator.OAuth.Upstream;

/// <summary>Maps the identity an upstream provider vouched for to a user of the tenant, or says why it cannot.</summary>
/// <remarks>
/// The configured claim (<c>email</c> by default, then with <c>email_verified</c> true) must name an enabled user. A
/// user is linked to the provider's <c>sub</c> on the first sign-in: after that, another account at the same provider
/// that comes to show the same email is refused, so an address the provider hands to someone new opens nothing.
/// </remarks>
internal sealed class UpstreamIdentities(UserStore users)
{
    public async Task<UpstreamMatch> MatchAsync(string tenant, UpstreamProviderConfig provider, ClaimsPrincipal identity, CancellationToken cancellationToken)
    {
        var subject = identity.FindFirst("sub")?.Value;
        if (subject is null)
        {
            return UpstreamMatch.Refused("the provider named no subject");
        }

        if (identity.FindFirst(provider.Claim)?.Value is not { } value)
        {
            return UpstreamMatch.Refused($"the provider sent no {provider.Claim} claim");
        }

        if (provider.Claim == "email" && identity.FindFirst("email_verified")?.Value != "true")
        {
            return UpstreamMatch.Refused("the provider has not verified this email address", value);
        }

        if (UserEmail.Normalize(value) is not { } email)
        {
            return UpstreamMatch.Refused($"the {provider.Claim} claim is not an email address", value);
        }

        var user = await users.FindByEmailAsync(tenant, email, cancellationToken);
        if (user is not { DisabledAt: null })
        {
            return UpstreamMatch.Refused("no enabled user of this tenant has this email address", email);
        }

        var linked = provider.Issuer + " " + subject;
        if (user.UpstreamSubject is { } known && known.StartsWith(provider.Issuer + " ", StringComparison.Ordinal) && known != linked)
        {
            return UpstreamMatch.Refused("the user is linked to another account at this provider", email);
        }

        if (user.UpstreamSubject != linked && !await users.LinkUpstreamAsync(tenant, user.Id, linked, cancellationToken))
        {
            return UpstreamMatch.Refused("this account at the provider is linked to another user of the tenant", email);
        }

        return new UpstreamMatch(user.Id, email, null);
    }
}

/// <summary>The user an upstream identity maps to, or the reason (for the log) it maps to none.</summary>
/// <param name="Email">What the provider asserted, shown back to the person who signed in there; null when it sent nothing usable.</param>
internal sealed record UpstreamMatch(Guid? UserId, string? Email, string? Reason)
{
    public static UpstreamMatch Refused(string reason, string? email = null) => new(null, email, reason);
}
