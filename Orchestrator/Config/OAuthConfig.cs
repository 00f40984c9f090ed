using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Config;

/// <summary>smcp.yaml's <c>oauth:</c>: the built-in authorization server and the external issuers whose tokens are trusted.</summary>
internal sealed record OAuthConfig
{
    /// <summary>Whether each tenant gets the built-in issuer <c>{base}/oauth/{tenant}</c>; false leaves only <see cref="Issuers"/>.</summary>
    public bool BuiltIn { get; init; } = true;

    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan RefreshTokenLifetime { get; init; } = TimeSpan.FromDays(30);

    /// <summary>How long an authorization code may wait for its redemption.</summary>
    public TimeSpan CodeLifetime { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Failed sign-ins in a row before an account is locked for <see cref="LockoutDuration"/>.</summary>
    public int LockoutThreshold { get; init; } = 5;

    public TimeSpan LockoutDuration { get; init; } = TimeSpan.FromMinutes(15);

    public ClientMetadataDocumentConfig ClientMetadataDocuments { get; init; } = new();

    /// <summary>External issuers (identity providers) whose access tokens SMCP accepts.</summary>
    public IReadOnlyList<TrustedIssuerConfig> Issuers { get; init; } = [];
}

/// <summary>How client ID metadata documents (an https <c>client_id</c>) are fetched.</summary>
internal sealed record ClientMetadataDocumentConfig
{
    public bool Enabled { get; init; } = true;

    /// <summary>Whether a document may be fetched from a loopback, private, link-local or otherwise non-public address (SSRF guard off; tests and closed networks only).</summary>
    public bool AllowPrivateAddresses { get; init; }

    /// <summary>PEM file of extra root certificates trusted for these fetches (an internal CA); null trusts the system's roots only.</summary>
    public string? TrustedCertificatesFile { get; init; }

    public long MaxBytes { get; init; } = 64 * 1024;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Bounds on how long a fetched document is cached, whatever its HTTP headers say.</summary>
    public TimeSpan MinCache { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan MaxCache { get; init; } = TimeSpan.FromHours(24);
}

/// <summary>One external issuer: where its keys are, which tokens of it count, and what they may do.</summary>
internal sealed record TrustedIssuerConfig
{
    /// <summary>The exact <c>iss</c> value.</summary>
    public required string Issuer { get; init; }

    /// <summary>The JWKS URL; when null it is read from the issuer's discovery document (OIDC, then RFC 8414).</summary>
    public string? JwksUrl { get; init; }

    /// <summary>The <c>aud</c> the tokens must carry; null means the MCP resource's own URL (RFC 8707).</summary>
    public string? Audience { get; init; }

    /// <summary>The claim that names the tenant; with <see cref="Tenant"/> set instead, every token of this issuer is for that one tenant.</summary>
    public string? TenantClaim { get; init; }

    public string? Tenant { get; init; }

    /// <summary>Scope value to role; a token needs at least one mapped scope. Default: <c>mcp</c> → tenant-user.</summary>
    public IReadOnlyDictionary<string, SmcpRole> Scopes { get; init; } = new Dictionary<string, SmcpRole>(StringComparer.Ordinal) { ["mcp"] = SmcpRole.TenantUser };

    /// <summary>Whether plain-HTTP issuer and JWKS URLs are allowed (loopback test setups); https otherwise.</summary>
    public bool AllowHttp { get; init; }
}
