using System.Security.Cryptography;
using System.Text.Json;
using Jose;
using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Auth;

/// <summary>Checks an OAuth access token (a JWS-signed JWT) for one tenant's MCP resource, from memory and the issuers' cached keys.</summary>
/// <remarks>
/// The header and the issuer are read before the signature is checked only to pick the key: nothing in
/// them is trusted until jose-jwt has verified the signature with the algorithm chosen here (ES256 or
/// RS256) and a key whose type fits it. Then every claim is checked: issuer, lifetime, audience, tenant, scope.
/// </remarks>
internal sealed class AccessTokenValidator(ITokenIssuers issuers, TimeProvider time) : IDisposable
{
    /// <summary>Longer tokens are refused unread.</summary>
    public const int MaxTokenBytes = 8 * 1024;

    /// <summary>How far the issuer's clock may be from this one for <c>exp</c> and <c>nbf</c>.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(60);

    private const int MaxKeyIdLength = 256;

    private readonly VerifiedSignatures _verified = new();

    /// <summary>The <c>typ</c> values taken as an access token: RFC 9068's, and the plain JWT many providers still write.</summary>
    private static readonly HashSet<string> AccessTokenTypes = new(["at+jwt", "application/at+jwt", "JWT"], StringComparer.OrdinalIgnoreCase);

    /// <param name="token">The bearer token as sent.</param>
    /// <param name="tenant">The tenant of the URL it was sent to.</param>
    /// <param name="resource">The MCP endpoint's canonical URI (<see cref="PublicUrls.McpResource"/>), the default audience.</param>
    /// <param name="baseUrl">The public base URL the built-in issuers live under.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    public async ValueTask<TokenCheck> ValidateAsync(string token, string tenant, string resource, string baseUrl, CancellationToken cancellationToken)
    {
        if (token.Length > MaxTokenBytes || !JwtShape.IsJwt(token))
        {
            return TokenCheck.Invalid("not a compact JWS of at most 8 KiB");
        }

        var segments = token.Split('.');
        using var header = JwtReading.ParseSegment(segments[0]);
        using var payload = JwtReading.ParseSegment(segments[1]);
        if (header is null || payload is null)
        {
            return TokenCheck.Invalid("the header or the payload is not a JSON object with unique names");
        }

        if (JwtReading.Algorithm(header.RootElement) is not { } alg)
        {
            return TokenCheck.Invalid("the algorithm is not ES256 or RS256");
        }

        // No extension is understood, so a header that marks one as critical must be refused (RFC 7515 section 4.1.11).
        if (header.RootElement.TryGetProperty("crit", out _))
        {
            return TokenCheck.Invalid("the header names critical extensions");
        }

        if (JwtReading.Text(header.RootElement, "kid") is not { Length: > 0 and <= MaxKeyIdLength } keyId)
        {
            return TokenCheck.Invalid("the header has no usable kid");
        }

        // RFC 9068 section 4: an access token says so; a JWT of another kind (logout, DPoP proof, ID token) is no access token.
        var type = JwtReading.Text(header.RootElement, "typ");
        if (header.RootElement.TryGetProperty("typ", out _) && !AccessTokenTypes.Contains(type ?? ""))
        {
            return TokenCheck.Invalid("the token is not typed as an access token");
        }

        var claims = payload.RootElement;
        if (JwtReading.Text(claims, "iss") is not { } iss || issuers.Find(iss, tenant, baseUrl) is not { } issuer)
        {
            return TokenCheck.Invalid("the issuer is not trusted for this tenant");
        }

        if (await issuer.Keys.FindAsync(keyId, cancellationToken).ConfigureAwait(false) is not { } jwk)
        {
            return TokenCheck.Invalid("the issuer publishes no key with this kid");
        }

        var fingerprint = VerifiedSignatures.Fingerprint(token);
        if (!_verified.Contains(fingerprint, jwk))
        {
            using var key = JsonWebKeyImport.Import(jwk, alg, out var keyRefusal);
            if (key is null)
            {
                return TokenCheck.Invalid("the issuer's key does not fit the algorithm: " + keyRefusal);
            }

            if (!JwtReading.Verifies(token, key, alg))
            {
                return TokenCheck.Invalid("the signature does not verify");
            }

            if (JwtReading.Seconds(claims, "exp") is { } expires)
            {
                _verified.Add(fingerprint, jwk, expires - time.GetUtcNow() + ClockSkew);
            }
        }

        return CheckClaims(claims, issuer, tenant, resource, baseUrl);
    }

    public void Dispose() => _verified.Dispose();

    private TokenCheck CheckClaims(JsonElement claims, TrustedIssuer issuer, string tenant, string resource, string baseUrl)
    {
        if (JwtReading.Text(claims, "iss") != issuer.Issuer)
        {
            return TokenCheck.Invalid("the issuer does not match exactly");
        }

        var now = time.GetUtcNow();
        if (JwtReading.Seconds(claims, "exp") is not { } expires)
        {
            return TokenCheck.Invalid("the token has no exp");
        }

        // The skew moves now, not the claim: a claim near the end of time plus the skew is past what DateTimeOffset holds.
        if (expires <= now - ClockSkew)
        {
            return TokenCheck.Invalid("the token has expired");
        }

        if (claims.TryGetProperty("nbf", out _) && (JwtReading.Seconds(claims, "nbf") is not { } notBefore || notBefore > now + ClockSkew))
        {
            return TokenCheck.Invalid("the token is not valid yet");
        }

        if (!JwtReading.Audiences(claims).Contains(issuer.Audience ?? resource, StringComparer.Ordinal))
        {
            return TokenCheck.Invalid("the token is for another audience");
        }

        var tenantMatches = issuer.TenantClaim is { } tenantClaim
            ? JwtReading.Text(claims, tenantClaim) == tenant
            : issuer.Tenant == tenant;
        if (!tenantMatches)
        {
            return TokenCheck.Invalid("the token is for another tenant");
        }

        if (JwtReading.Text(claims, "sub") is not { Length: > 0 } subject)
        {
            return TokenCheck.Invalid("the token has no sub");
        }

        var role = StrongestRole(claims, issuer.Scopes);
        if (role is not (SmcpRole.TenantUser or SmcpRole.TenantAdmin))
        {
            return TokenCheck.InsufficientScope("no scope of the token grants the use of MCP servers");
        }

        var builtIn = issuer.Issuer == PublicUrls.BuiltInIssuer(baseUrl, tenant);
        return TokenCheck.Valid(new SmcpPrincipal(OAuthPrincipalId.For(issuer.Issuer, subject, builtIn), tenant, role.Value));
    }


    private static SmcpRole? StrongestRole(JsonElement claims, IReadOnlyDictionary<string, SmcpRole> mapping)
    {
        SmcpRole? strongest = null;
        foreach (var scope in Scopes(claims))
        {
            if (mapping.TryGetValue(scope, out var role) && Rank(role) > Rank(strongest))
            {
                strongest = role;
            }
        }

        return strongest;
    }

    private static int Rank(SmcpRole? role) => role switch
    {
        SmcpRole.TenantAdmin => 3,
        SmcpRole.TenantUser => 2,
        SmcpRole.ReadOnly => 1,
        _ => 0,
    };

    /// <summary><c>scope</c> as a space-separated string (RFC 9068), else <c>scp</c> as an array or a string (as some providers send it).</summary>
    private static IEnumerable<string> Scopes(JsonElement claims)
    {
        var source = claims.TryGetProperty("scope", out var scope) ? scope : claims.TryGetProperty("scp", out var scp) ? scp : default;
        return source.ValueKind switch
        {
            JsonValueKind.String => source.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            JsonValueKind.Array => source.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!),
            _ => [],
        };
    }
}
