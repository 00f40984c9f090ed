using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Jose;
using Smcp.Proxy.Ports;
using Base64Url = System.Buffers.Text.Base64Url;

namespace Smcp.Bench;

/// <summary>
/// One OAuth issuer the bench host trusts, with an ES256 key made for the run and kept in memory (as the built-in
/// issuer's ring is): what the proxy pays per request for a JWT, signature check and claims included, against an API key.
/// </summary>
internal sealed class BenchIssuer : ITokenIssuers, IJsonWebKeySource
{
    private const string Issuer = "https://issuer.bench/oauth/bench";
    private const string KeyId = "bench-es256";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _jwk;
    private readonly TrustedIssuer _trusted;

    public BenchIssuer()
    {
        var p = _key.ExportParameters(false);
        _jwk = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["kid"] = KeyId, ["x"] = Base64Url.EncodeToString(p.Q.X), ["y"] = Base64Url.EncodeToString(p.Q.Y) }.ToJsonString();
        _trusted = new TrustedIssuer(Issuer, this)
        {
            TenantClaim = "smcp_tenant",
            Scopes = new Dictionary<string, SmcpRole>(StringComparer.Ordinal) { ["mcp"] = SmcpRole.TenantUser },
        };
    }

    /// <summary>An access token for one MCP endpoint, valid for the whole run.</summary>
    public string Mint(Uri resource)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["iss"] = Issuer, ["sub"] = "user:bench", ["aud"] = resource.ToString(), ["iat"] = now, ["nbf"] = now, ["exp"] = now + 86_400,
            ["jti"] = Guid.NewGuid().ToString("N"), ["client_id"] = "bench", ["scope"] = "mcp", ["smcp_tenant"] = SmcpHost.Tenant,
        };
        return JWT.Encode(claims.ToJsonString(), _key, JwsAlgorithm.ES256, new Dictionary<string, object>(StringComparer.Ordinal) { ["kid"] = KeyId, ["typ"] = "at+jwt" });
    }

    public TrustedIssuer? Find(string issuer, string tenant, string baseUrl) => issuer == Issuer && tenant == SmcpHost.Tenant ? _trusted : null;

    public IReadOnlyList<string> AuthorizationServers(string tenant, string baseUrl) => [Issuer];

    public ValueTask<string?> FindAsync(string keyId, CancellationToken cancellationToken) => ValueTask.FromResult(keyId == KeyId ? _jwk : null);
}
