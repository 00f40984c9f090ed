namespace Smcp.Orchestrator.OAuth.Clients;

/// <summary>A client registration request (RFC 7591 section 2); metadata not listed is ignored.</summary>
internal sealed record ClientRegistrationRequest
{
    public List<string>? RedirectUris { get; init; }
    public List<string>? GrantTypes { get; init; }
    public List<string>? ResponseTypes { get; init; }
    public string? TokenEndpointAuthMethod { get; init; }
    public string? ClientName { get; init; }
    public string? Scope { get; init; }
}

/// <summary>The registered client as the server keeps it (RFC 7591 section 3.2.1); <see cref="ClientSecret"/> is shown this once.</summary>
internal sealed record ClientRegistrationResponse
{
    public required string ClientId { get; init; }
    public string? ClientSecret { get; init; }
    public long ClientIdIssuedAt { get; init; }

    /// <summary>0 (never) when a secret is issued; absent otherwise.</summary>
    public long? ClientSecretExpiresAt { get; init; }
    public required IReadOnlyList<string> RedirectUris { get; init; }
    public required IReadOnlyList<string> GrantTypes { get; init; }
    public required IReadOnlyList<string> ResponseTypes { get; init; }
    public required string TokenEndpointAuthMethod { get; init; }
    public string? ClientName { get; init; }
    public required string Scope { get; init; }
}
