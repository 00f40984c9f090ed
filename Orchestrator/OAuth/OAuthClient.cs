namespace Smcp.Orchestrator.OAuth;

/// <summary>A client of a tenant's issuer, however it became known: registered (RFC 7591), a service a tenant admin made, or a client ID metadata document.</summary>
internal sealed record OAuthClient
{
    public required string ClientId { get; init; }

    public required OAuthClientKind Kind { get; init; }

    public string? Name { get; init; }

    /// <summary>Exact redirect URIs; an authorization request must name one of them character for character.</summary>
    public IReadOnlyList<string> RedirectUris { get; init; } = [];

    /// <summary>Of <see cref="OAuthNames.AuthorizationCodeGrant"/>, <see cref="OAuthNames.RefreshTokenGrant"/>, <see cref="OAuthNames.ClientCredentialsGrant"/>.</summary>
    public required IReadOnlyList<string> GrantTypes { get; init; }

    /// <summary><c>none</c> (a public client), <c>client_secret_basic</c> or <c>client_secret_post</c>.</summary>
    public required string AuthMethod { get; init; }

    /// <summary>SHA-256 of the client secret, for confidential clients.</summary>
    public byte[]? SecretHash { get; init; }

    /// <summary>The scopes the client may be granted, space-separated.</summary>
    public string Scope { get; init; } = OAuthNames.McpScope;
}

internal enum OAuthClientKind
{
    /// <summary>Through <c>/register</c>: public or confidential, authorization code only.</summary>
    Registered,

    /// <summary>Made by a tenant admin through the API: confidential, client_credentials.</summary>
    Service,

    /// <summary>An https <c>client_id</c> whose metadata document was fetched: public, authorization code only.</summary>
    MetadataDocument,
}
