namespace Smcp.Proxy.Ports;

/// <summary>The issuers whose OAuth access tokens (JWTs) a tenant's MCP servers accept, and how each is checked.</summary>
/// <remarks>Asked on every request that carries a JWT: answered from memory, never by a store round trip.</remarks>
public interface ITokenIssuers
{
    /// <summary>The issuer whose <c>iss</c> is <paramref name="issuer"/>, if its tokens may be used on this tenant's servers; else null.</summary>
    /// <param name="issuer">The token's <c>iss</c>, not yet verified.</param>
    /// <param name="tenant">The tenant of the URL the token was sent to.</param>
    /// <param name="baseUrl">The proxy's public base URL (no trailing slash): the built-in issuers live under it.</param>
    TrustedIssuer? Find(string issuer, string tenant, string baseUrl);

    /// <summary>The authorization servers to name in this tenant's protected resource metadata (RFC 9728), first the preferred one.</summary>
    IReadOnlyList<string> AuthorizationServers(string tenant, string baseUrl);

    /// <summary>The authorization servers whose tokens are not bound to one tenant, for the root protected resource metadata.</summary>
    /// <remarks>None by default: a per-tenant issuer can only be named where the tenant is known (the path form).</remarks>
    IReadOnlyList<string> SharedAuthorizationServers(string baseUrl) => [];
}

/// <summary>One issuer's rules for its access tokens.</summary>
/// <param name="Issuer">The exact <c>iss</c>.</param>
/// <param name="Keys">Where its public signing keys are.</param>
public sealed record TrustedIssuer(string Issuer, IJsonWebKeySource Keys)
{
    /// <summary>The <c>aud</c> a token must carry; null means the MCP resource's own URL (RFC 8707).</summary>
    public string? Audience { get; init; }

    /// <summary>The claim whose value must be the URL's tenant; null when <see cref="Tenant"/> fixes it.</summary>
    public string? TenantClaim { get; init; }

    /// <summary>The one tenant all of this issuer's tokens are for; null when <see cref="TenantClaim"/> names it per token.</summary>
    public string? Tenant { get; init; }

    /// <summary>Scope value to the role it grants; a token with none of these scopes is refused with 403 insufficient_scope.</summary>
    public required IReadOnlyDictionary<string, SmcpRole> Scopes { get; init; }
}

/// <summary>An issuer's published signing keys, as JWK JSON objects, by key id.</summary>
public interface IJsonWebKeySource
{
    /// <summary>The key with this <c>kid</c> as a JWK JSON object, or null when the issuer publishes none by that id.</summary>
    /// <remarks>Cached; an unknown id may refresh the cache, at most once per the source's floor, so random ids cannot make it fetch on every request.</remarks>
    ValueTask<string?> FindAsync(string keyId, CancellationToken cancellationToken);
}
