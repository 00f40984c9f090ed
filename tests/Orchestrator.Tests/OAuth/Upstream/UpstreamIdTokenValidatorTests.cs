using Base64Url = System.Buffers.Text.Base64Url;
using System.Security.Cryptography;
using System.Text;
using Duende.IdentityModel.Client;
using Duende.IdentityModel.Jwk;
using Duende.IdentityModel.OidcClient;
using Jose;
using Smcp.Orchestrator.OAuth.Upstream;

namespace Smcp.Orchestrator.Tests.OAuth.Upstream;

/// <summary>The upstream ID token check on its own: only a token the provider's own key signed, for this client, now, passes.</summary>
public sealed class UpstreamIdTokenValidatorTests
{
    private const string Issuer = "https://id.example.com";
    private const string ClientId = "smcp";

    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly ECDsa OtherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    private readonly UpstreamIdTokenValidator _validator = new(TimeProvider.System);

    [OneTimeTearDown]
    public static void DisposeKeys()
    {
        Key.Dispose();
        OtherKey.Dispose();
    }

    private static OidcClientOptions Options()
    {
        var point = Key.ExportParameters(false).Q;
        var jwks = $$"""{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","use":"sig","x":"{{Base64Url.EncodeToString(point.X)}}","y":"{{Base64Url.EncodeToString(point.Y)}}"}]}""";
        return new OidcClientOptions
        {
            Authority = Issuer,
            ClientId = ClientId,
            ProviderInformation = new ProviderInformation { IssuerName = Issuer, KeySet = new JsonWebKeySet(jwks) },
        };
    }

    private static Dictionary<string, object> Claims(params (string Name, object? Value)[] changes)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Issuer, ["aud"] = ClientId, ["sub"] = "alice", ["iat"] = now, ["exp"] = now + 300, ["nonce"] = "n-1",
            ["email"] = "alice@example.com", ["email_verified"] = true,
        };
        foreach (var (name, value) in changes)
        {
            if (value is null)
            {
                claims.Remove(name);
            }
            else
            {
                claims[name] = value;
            }
        }

        return claims;
    }

    private static string Signed(Dictionary<string, object> claims, ECDsa? key = null) =>
        JWT.Encode(claims, key ?? Key, JwsAlgorithm.ES256, new Dictionary<string, object> { ["kid"] = "k1" });

    private async Task<string?> ErrorAsync(string token) => (await _validator.ValidateAsync(token, Options())).Error;

    [Test]
    public async Task A_token_the_providers_key_signed_for_this_client_passes_with_its_claims()
    {
        var result = await _validator.ValidateAsync(Signed(Claims()), Options());
        Assert.That(result.IsError, Is.False, result.Error);
        Assert.That((result.User.FindFirst("sub")!.Value, result.User.FindFirst("nonce")!.Value, result.User.FindFirst("email_verified")!.Value),
            Is.EqualTo(("alice", "n-1", "true")));
        Assert.That(result.SignatureAlgorithm, Is.EqualTo("ES256"));
    }

    [Test]
    public async Task A_token_signed_by_another_key_is_a_signature_failure()
    {
        Assert.That(await ErrorAsync(Signed(Claims(), OtherKey)), Is.EqualTo("invalid_signature"));
    }

    [Test]
    public async Task A_tampered_payload_is_a_signature_failure()
    {
        var parts = Signed(Claims()).Split('.');
        parts[1] = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(Claims(("sub", "mallory")))));
        Assert.That(await ErrorAsync(string.Join('.', parts)), Is.EqualTo("invalid_signature"));
    }

    [Test]
    public async Task Alg_none_is_refused()
    {
        var unsigned = JWT.Encode(Claims(), null, JwsAlgorithm.none);
        Assert.That(await ErrorAsync(unsigned), Does.Contain("not a compact JWS"));
        Assert.That(await ErrorAsync(unsigned + "c2ln"), Does.Contain("not signed with ES256 or RS256"));
    }

    [Test]
    public async Task HS256_signed_with_the_public_key_is_refused()
    {
        var publicKey = Key.ExportSubjectPublicKeyInfo();
        var token = JWT.Encode(Claims(), publicKey, JwsAlgorithm.HS256, new Dictionary<string, object> { ["kid"] = "k1" });
        Assert.That(await ErrorAsync(token), Does.Contain("not signed with ES256 or RS256"));
    }

    [TestCase("iss", "https://evil.example", "iss is not the provider's issuer")]
    [TestCase("aud", "another-client", "not for this client")]
    [TestCase("exp", 1000L, "has expired")]
    [TestCase("iat", 99999999999L, "issued in the future")]
    [TestCase("nbf", 99999999999L, "not valid yet")]
    [TestCase("sub", "", "no sub")]
    public async Task A_wrong_claim_is_refused(string name, object value, string says)
    {
        Assert.That(await ErrorAsync(Signed(Claims((name, value)))), Does.Contain(says));
    }

    [Test]
    public async Task Several_audiences_need_this_client_as_the_authorized_party()
    {
        var audiences = new[] { ClientId, "another-client" };
        Assert.That(await ErrorAsync(Signed(Claims(("aud", audiences), ("azp", "another-client")))), Does.Contain("another authorized party"));
        Assert.That(await ErrorAsync(Signed(Claims(("aud", audiences), ("azp", ClientId)))), Is.Null);
    }

    [Test]
    public async Task A_token_without_exp_is_refused()
    {
        Assert.That(await ErrorAsync(Signed(Claims(("exp", null)))), Does.Contain("no exp"));
    }
}
