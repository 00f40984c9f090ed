namespace Smcp.Proxy.Auth;

/// <summary>Where and how <see cref="RemoteJsonWebKeys"/> fetches an external issuer's keys.</summary>
public sealed record RemoteJsonWebKeysOptions
{
    /// <summary>The issuer, exactly as its tokens' <c>iss</c>; its discovery documents live under it.</summary>
    public required string Issuer { get; init; }

    /// <summary>The JWKS URL; null finds it in the discovery document (OIDC, then RFC 8414).</summary>
    public string? JwksUrl { get; init; }

    /// <summary>Whether plain-HTTP URLs may be fetched (loopback test setups); https only otherwise.</summary>
    public bool AllowHttp { get; init; }

    /// <summary>An unknown <c>kid</c> re-fetches the key set at most this often, so random ids cannot make every request a fetch.</summary>
    public TimeSpan RefreshFloor { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Even known keys are re-fetched once they are this old, so a key the issuer withdrew stops verifying tokens.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A larger discovery document or key set is refused.</summary>
    public int MaxBytes { get; init; } = 256 * 1024;
}
