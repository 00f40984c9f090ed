using System.Text.Json.Nodes;
using Jose;
using Smcp.Proxy.Auth;
using Smcp.Proxy.Ports;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Proxy.Tests.Auth;

/// <summary>A token seen again skips its signature check only while its kid still names the key that verified it; its claims are checked every time.</summary>
public sealed class VerifiedSignatureTests
{
    private const string BaseUrl = "https://smcp.test";
    private const string KeyId = "k1";

    private static readonly string Resource = PublicUrls.McpResource(BaseUrl, "acme", "conf");

    private readonly TestKeys _first = new();
    private readonly TestKeys _second = new();
    private SwappableIssuer _issuer = null!;
    private ManualClock _clock = null!;
    private AccessTokenValidator _validator = null!;

    [SetUp]
    public void CreateValidator()
    {
        _issuer = new SwappableIssuer();
        _clock = new ManualClock();
        _validator = new AccessTokenValidator(_issuer, _clock);
    }

    [TearDown]
    public void DisposeValidator() => _validator.Dispose();

    [Test]
    public async Task A_token_presented_again_is_valid_again()
    {
        _issuer.Jwk = _first.EcJwk;
        var token = Sign(_first, Claims());

        var checks = new[] { await ValidateAsync(token), await ValidateAsync(token) };

        Assert.That(checks.Select(c => c.Outcome), Is.EqualTo(new[] { TokenOutcome.Valid, TokenOutcome.Valid }), string.Join("; ", checks.Select(c => c.Reason)));
        Assert.That(_issuer.Lookups, Is.EqualTo(2), "the issuer's key is looked up on every request, so a withdrawn key counts at once");
    }

    [Test]
    public async Task A_verified_token_is_refused_once_its_kid_names_another_key()
    {
        var token = await VerifiedTokenAsync();

        _issuer.Jwk = _second.EcJwk;
        var check = await ValidateAsync(token);

        Assert.That(check.Outcome, Is.EqualTo(TokenOutcome.Invalid));
        Assert.That(check.Reason, Is.EqualTo("the signature does not verify"));
    }

    [Test]
    public async Task A_verified_token_is_refused_once_its_key_is_withdrawn()
    {
        var token = await VerifiedTokenAsync();

        _issuer.Jwk = null;
        var check = await ValidateAsync(token);

        Assert.That(check.Reason, Is.EqualTo("the issuer publishes no key with this kid"));
    }

    [Test]
    public async Task A_verified_token_is_refused_once_it_has_expired()
    {
        var token = await VerifiedTokenAsync();

        _clock.Advance(TimeSpan.FromMinutes(10));
        var check = await ValidateAsync(token);

        Assert.That(check.Reason, Is.EqualTo("the token has expired"));
    }

    [Test]
    public async Task A_verified_token_with_another_signature_is_checked_afresh_and_refused()
    {
        var token = await VerifiedTokenAsync();
        var forged = token[..(token.LastIndexOf('.') + 1)] + Sign(_second, Claims()).Split('.')[2];

        var check = await ValidateAsync(forged);

        Assert.That(check.Reason, Is.EqualTo("the signature does not verify"));
    }

    private JsonObject Claims()
    {
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = SwappableIssuer.Issuer, ["sub"] = "alice", ["aud"] = Resource, ["iat"] = now, ["exp"] = now + 300,
            ["scope"] = "mcp", ["tenant"] = "acme",
        };
    }

    private static string Sign(TestKeys keys, JsonObject claims) =>
        JWT.Encode(claims.ToJsonString(), keys.Ec, JwsAlgorithm.ES256, new Dictionary<string, object>(StringComparer.Ordinal) { ["kid"] = KeyId, ["typ"] = "at+jwt" });

    private ValueTask<TokenCheck> ValidateAsync(string token) =>
        _validator.ValidateAsync(token, "acme", Resource, BaseUrl, CancellationToken.None);

    /// <summary>A token of the first key that has verified once, so its signature is in the cache.</summary>
    private async Task<string> VerifiedTokenAsync()
    {
        _issuer.Jwk = _first.EcJwk;
        var token = Sign(_first, Claims());
        Assert.That((await ValidateAsync(token)).Outcome, Is.EqualTo(TokenOutcome.Valid));
        return token;
    }

    /// <summary>One issuer whose key <c>k1</c> the test replaces or withdraws.</summary>
    private sealed class SwappableIssuer : ITokenIssuers, IJsonWebKeySource
    {
        public const string Issuer = "https://idp.test/swap";

        public string? Jwk { get; set; }

        public int Lookups { get; private set; }

        public TrustedIssuer? Find(string issuer, string tenant, string baseUrl) =>
            issuer == Issuer ? new TrustedIssuer(Issuer, this) { TenantClaim = "tenant", Scopes = new Dictionary<string, SmcpRole>(StringComparer.Ordinal) { ["mcp"] = SmcpRole.TenantUser } } : null;

        public IReadOnlyList<string> AuthorizationServers(string tenant, string baseUrl) => [Issuer];

        public IReadOnlyList<string> SharedAuthorizationServers(string baseUrl) => [Issuer];

        public ValueTask<string?> FindAsync(string keyId, CancellationToken cancellationToken)
        {
            Lookups++;
            return ValueTask.FromResult(keyId == KeyId ? Jwk : null);
        }
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
