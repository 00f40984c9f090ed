using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Jose;
using Smcp.Proxy.Ports;
using Base64Url = System.Buffers.Text.Base64Url;

namespace Smcp.Proxy.Tests.Support;

/// <summary>The one issuer the test host trusts: its tokens name their tenant in <c>smcp_tenant</c>; its keys are made in memory for this run.</summary>
internal sealed class TestIssuers : ITokenIssuers
{
    public const string Issuer = "https://idp.test/realm";
    public const string TenantClaim = "smcp_tenant";

    public static TestKeys Keys { get; } = new();

    private static readonly TrustedIssuer Trusted = new(Issuer, Keys)
    {
        TenantClaim = TenantClaim,
        Scopes = new Dictionary<string, SmcpRole>(StringComparer.Ordinal)
        {
            ["mcp"] = SmcpRole.TenantUser,
            ["mcp:admin"] = SmcpRole.TenantAdmin,
            ["audit:read"] = SmcpRole.ReadOnly,
        },
    };

    public TrustedIssuer? Find(string issuer, string tenant, string baseUrl) => issuer == Issuer ? Trusted : null;

    public IReadOnlyList<string> AuthorizationServers(string tenant, string baseUrl) => [Issuer];

    public IReadOnlyList<string> SharedAuthorizationServers(string baseUrl) => [Issuer];
}

/// <summary>An ES256 key (<c>es1</c>) and an RS256 key (<c>rs1</c>), published as public JWKs.</summary>
internal sealed class TestKeys : IJsonWebKeySource
{
    public const string EcKeyId = "es1";
    public const string RsaKeyId = "rs1";
    public const string WeakRsaKeyId = "rs-weak";

    public ECDsa Ec { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public RSA Rsa { get; } = RSA.Create(2048);

    public RSA WeakRsa { get; } = RSA.Create(1024);

    public string EcJwk => Public(Ec);

    public ValueTask<string?> FindAsync(string keyId, CancellationToken cancellationToken) => ValueTask.FromResult(keyId switch
    {
        EcKeyId => EcJwk,
        RsaKeyId => Public(Rsa, RsaKeyId),
        WeakRsaKeyId => Public(WeakRsa, WeakRsaKeyId),
        _ => null,
    });

    private static string Public(ECDsa key)
    {
        var p = key.ExportParameters(false);
        return new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["kid"] = EcKeyId, ["x"] = Base64Url.EncodeToString(p.Q.X), ["y"] = Base64Url.EncodeToString(p.Q.Y) }.ToJsonString();
    }

    private static string Public(RSA key, string keyId)
    {
        var p = key.ExportParameters(false);
        return new JsonObject { ["kty"] = "RSA", ["kid"] = keyId, ["n"] = Base64Url.EncodeToString(p.Modulus), ["e"] = Base64Url.EncodeToString(p.Exponent) }.ToJsonString();
    }
}

/// <summary>Access tokens of <see cref="TestIssuers"/> for acme's <c>conf</c> server, with any claim changed.</summary>
internal static class TestTokens
{
    public static string Resource(string tenant = "acme", string server = "conf") =>
        PublicUrls.McpResource(TestHost.BaseUri.GetLeftPart(UriPartial.Authority), tenant, server);

    public static JsonObject Claims(string tenant = "acme", string server = "conf")
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = TestIssuers.Issuer,
            ["sub"] = "alice",
            ["aud"] = Resource(tenant, server),
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + 300,
            ["scope"] = "openid mcp",
            [TestIssuers.TenantClaim] = tenant,
        };
    }

    public static string Es256(JsonObject? claims = null, string keyId = TestKeys.EcKeyId) =>
        JWT.Encode((claims ?? Claims()).ToJsonString(), TestIssuers.Keys.Ec, JwsAlgorithm.ES256, Header(keyId));

    public static string Rs256(JsonObject? claims = null) =>
        JWT.Encode((claims ?? Claims()).ToJsonString(), TestIssuers.Keys.Rsa, JwsAlgorithm.RS256, Header(TestKeys.RsaKeyId));

    public static string Rs256WithWeakKey() =>
        JWT.Encode(Claims().ToJsonString(), TestIssuers.Keys.WeakRsa, JwsAlgorithm.RS256, Header(TestKeys.WeakRsaKeyId));

    /// <summary>Signed with HMAC, its secret being <paramref name="secret"/> (an attacker's pick: the public key's bytes).</summary>
    public static string Hs256(byte[] secret, string keyId = TestKeys.EcKeyId) =>
        JWT.Encode(Claims().ToJsonString(), secret, JwsAlgorithm.HS256, Header(keyId));

    /// <summary>Header and payload as given, then <paramref name="signature"/>: for headers no library would sign.</summary>
    public static string Raw(JsonObject header, JsonObject claims, string signature) =>
        $"{Segment(header)}.{Segment(claims)}.{signature}";

    public static string Segment(JsonObject json) => Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()));

    private static Dictionary<string, object> Header(string keyId) => new(StringComparer.Ordinal) { ["kid"] = keyId, ["typ"] = "at+jwt" };
}
