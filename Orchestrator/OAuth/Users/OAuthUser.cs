namespace Smcp.Orchestrator.OAuth.Users;

/// <summary>A person who signs in to a tenant's issuer, as read for a sign-in.</summary>
internal sealed record OAuthUser
{
    public required string TenantId { get; init; }
    public Guid Id { get; init; }

    /// <summary>Lower-cased and trimmed (<see cref="UserEmail.Normalize"/>).</summary>
    public required string Email { get; init; }

    /// <summary>ASP.NET Core Identity's <c>PasswordHasher</c> format; null for a user who signs in upstream only.</summary>
    public string? PasswordHash { get; init; }

    public int FailedAttempts { get; init; }
    public DateTimeOffset? LockedUntil { get; init; }
    public DateTimeOffset? DisabledAt { get; init; }

    /// <summary>The upstream identity the user is linked to, <c>{issuer} {sub}</c>, after a first upstream sign-in; else null.</summary>
    public string? UpstreamSubject { get; init; }
}
