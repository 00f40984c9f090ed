using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Smcp.Proxy.Auth;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Proxy.Tests.Auth;

/// <summary>OAuth access tokens at the MCP endpoint: one good token works, and each way a token can be wrong is refused for that reason.</summary>
public sealed class AccessTokenTests
{
    private static McpHttp Http => TestHost.Http();

    private static string BaseUrl => TestHost.BaseUri.GetLeftPart(UriPartial.Authority);

    private static string Metadata => $"{BaseUrl}/.well-known/oauth-protected-resource/t/acme/conf/mcp";

    [Test]
    public async Task A_valid_es256_token_opens_a_session_and_mcp_works()
    {
        var token = TestTokens.Es256();
        var session = await Http.InitializeAsync(token: token);

        using var listed = await Http.PostAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/list"}""", session, token: token);

        Assert.That(listed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await listed.Content.ReadAsStringAsync(), Does.Contain("\"tools\""));
    }

    [Test]
    public async Task A_valid_rs256_token_is_accepted_as_the_issuers_subject()
    {
        var check = await ValidateAsync(TestTokens.Rs256());

        Assert.That(check.Outcome, Is.EqualTo(TokenOutcome.Valid), check.Reason);
        Assert.That(check.Principal!.Tenant, Is.EqualTo("acme"));
        Assert.That(check.Principal.Id, Does.StartWith("oauth:").And.EndWith(":alice"));
        Assert.That(check.Principal.Id, Has.Length.LessThanOrEqualTo(OAuthPrincipalId.MaxLength));
    }

    [Test]
    public async Task A_token_for_another_audience_is_refused()
    {
        var claims = TestTokens.Claims();
        claims["aud"] = new JsonArray("https://elsewhere.example/mcp", TestTokens.Resource("acme", "every"));

        await AssertRefusedAsync(TestTokens.Es256(claims), "the token is for another audience");
    }

    [Test]
    public async Task An_audience_array_holding_this_resource_is_accepted()
    {
        var claims = TestTokens.Claims();
        claims["aud"] = new JsonArray("https://elsewhere.example/mcp", TestTokens.Resource());

        Assert.That((await ValidateAsync(TestTokens.Es256(claims))).Outcome, Is.EqualTo(TokenOutcome.Valid));
    }

    [Test]
    public async Task An_expired_token_is_refused()
    {
        var claims = TestTokens.Claims();
        claims["exp"] = DateTimeOffset.UtcNow.AddMinutes(-2).ToUnixTimeSeconds();

        await AssertRefusedAsync(TestTokens.Es256(claims), "the token has expired");
    }

    [Test]
    public async Task A_token_expired_within_the_clock_skew_is_still_accepted()
    {
        var claims = TestTokens.Claims();
        claims["exp"] = DateTimeOffset.UtcNow.AddSeconds(-30).ToUnixTimeSeconds();

        Assert.That((await ValidateAsync(TestTokens.Es256(claims))).Outcome, Is.EqualTo(TokenOutcome.Valid));
    }

    [Test]
    public async Task An_rs256_token_of_a_key_shorter_than_2048_bits_is_refused()
    {
        await AssertRefusedAsync(TestTokens.Rs256WithWeakKey(), "the issuer's key does not fit the algorithm: RS256 needs an RSA key of 2048 to 8192 bits");
    }

    [Test]
    public async Task A_token_without_exp_is_refused()
    {
        var claims = TestTokens.Claims();
        claims.Remove("exp");

        await AssertRefusedAsync(TestTokens.Es256(claims), "the token has no exp");
    }

    [Test]
    public async Task A_token_not_valid_yet_is_refused()
    {
        var claims = TestTokens.Claims();
        claims["nbf"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();

        await AssertRefusedAsync(TestTokens.Es256(claims), "the token is not valid yet");
    }

    [Test]
    public async Task A_token_for_another_tenant_is_refused_on_this_tenants_url()
    {
        var claims = TestTokens.Claims();
        claims[TestIssuers.TenantClaim] = "small";

        await AssertRefusedAsync(TestTokens.Es256(claims), "the token is for another tenant");
    }

    [Test]
    public async Task A_token_with_alg_none_is_refused_with_or_without_a_signature()
    {
        var header = new JsonObject { ["alg"] = "none", ["kid"] = TestKeys.EcKeyId };
        var signature = TestTokens.Es256().Split('.')[2];

        await AssertRefusedAsync(TestTokens.Raw(header, TestTokens.Claims(), signature), "the algorithm is not ES256 or RS256");
        await AssertRefusedAsync(TestTokens.Raw(header, TestTokens.Claims(), ""), "not a compact JWS of at most 8 KiB");
    }

    [Test]
    public async Task An_hs256_token_signed_with_the_public_key_is_refused()
    {
        var pem = Encoding.UTF8.GetBytes(TestIssuers.Keys.Ec.ExportSubjectPublicKeyInfoPem());
        var jwk = Encoding.UTF8.GetBytes(TestIssuers.Keys.EcJwk);

        await AssertRefusedAsync(TestTokens.Hs256(pem), "the algorithm is not ES256 or RS256");
        await AssertRefusedAsync(TestTokens.Hs256(jwk), "the algorithm is not ES256 or RS256");
    }

    [Test]
    public async Task An_rs256_header_over_the_ec_key_is_refused_by_the_keys_type()
    {
        var token = TestTokens.Rs256();
        var forged = TestTokens.Raw(new JsonObject { ["alg"] = "RS256", ["kid"] = TestKeys.EcKeyId }, TestTokens.Claims(), token.Split('.')[2]);

        await AssertRefusedAsync(forged, "the issuer's key does not fit the algorithm: RS256 needs an RSA key");
    }

    [Test]
    public async Task A_jwt_typed_as_something_other_than_an_access_token_is_refused()
    {
        var signed = Jose.JWT.Encode(TestTokens.Claims().ToJsonString(), TestIssuers.Keys.Ec, Jose.JwsAlgorithm.ES256,
            new Dictionary<string, object> { ["kid"] = TestKeys.EcKeyId, ["typ"] = "logout+jwt" });

        await AssertRefusedAsync(signed, "the token is not typed as an access token");
    }

    [Test]
    public async Task A_token_expiring_at_the_end_of_time_is_checked_without_overflow()
    {
        var claims = TestTokens.Claims();
        claims["exp"] = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

        var check = await ValidateAsync(TestTokens.Es256(claims));

        Assert.That(check.Outcome, Is.EqualTo(TokenOutcome.Valid), check.Reason);
    }

    [Test]
    public async Task A_token_with_an_unknown_kid_is_refused()
    {
        await AssertRefusedAsync(TestTokens.Es256(keyId: "rotated-away"), "the issuer publishes no key with this kid");
    }

    [Test]
    public async Task A_token_with_a_tampered_payload_is_refused()
    {
        var parts = TestTokens.Es256().Split('.');
        var claims = TestTokens.Claims();
        claims["scope"] = "mcp mcp:admin";

        await AssertRefusedAsync($"{parts[0]}.{TestTokens.Segment(claims)}.{parts[2]}", "the signature does not verify");
    }

    [Test]
    public async Task A_token_of_an_untrusted_issuer_is_refused()
    {
        var claims = TestTokens.Claims();
        claims["iss"] = "https://idp.test/realm/";

        await AssertRefusedAsync(TestTokens.Es256(claims), "the issuer is not trusted for this tenant");
    }

    [Test]
    public async Task A_payload_with_a_duplicate_claim_is_refused_before_its_signature_is_looked_at()
    {
        var parts = TestTokens.Es256().Split('.');
        var json = TestTokens.Claims().ToJsonString();
        var duplicated = json.Insert(json.Length - 1, ",\"smcp_tenant\":\"small\"");
        var payload = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(duplicated));

        await AssertRefusedAsync($"{parts[0]}.{payload}.{parts[2]}", "the header or the payload is not a JSON object with unique names");
    }

    [Test]
    public async Task A_header_with_critical_extensions_is_refused()
    {
        var header = new JsonObject { ["alg"] = "ES256", ["kid"] = TestKeys.EcKeyId, ["crit"] = new JsonArray("exp"), ["exp"] = 1 };

        await AssertRefusedAsync(TestTokens.Raw(header, TestTokens.Claims(), TestTokens.Es256().Split('.')[2]), "the header names critical extensions");
    }

    [Test]
    public async Task A_token_larger_than_8_KiB_is_refused_unread()
    {
        var claims = TestTokens.Claims();
        claims["padding"] = new string('x', AccessTokenValidator.MaxTokenBytes);

        await AssertRefusedAsync(TestTokens.Es256(claims), "not a compact JWS of at most 8 KiB");
    }

    [Test]
    public async Task A_token_without_an_mcp_scope_gets_403_insufficient_scope_with_the_challenge()
    {
        var claims = TestTokens.Claims();
        claims["scope"] = "openid audit:read";

        using var response = await Http.SendAsync(Http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"), token: TestTokens.Es256(claims)));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(response.Headers.WwwAuthenticate.ToString(),
            Is.EqualTo($"Bearer error=\"insufficient_scope\", scope=\"mcp\", resource_metadata=\"{Metadata}\""));
    }

    [Test]
    public async Task Scopes_in_an_scp_array_are_mapped_to_the_strongest_role()
    {
        var claims = TestTokens.Claims();
        claims.Remove("scope");
        claims["scp"] = new JsonArray("audit:read", "mcp:admin", "mcp");

        var check = await ValidateAsync(TestTokens.Es256(claims));

        Assert.That(check.Principal?.Role, Is.EqualTo(Ports.SmcpRole.TenantAdmin), check.Reason);
    }

    [Test]
    public async Task No_token_gets_401_naming_the_scope_and_the_resource_metadata()
    {
        using var response = await Http.SendAsync(Http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"), token: null));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo($"Bearer resource_metadata=\"{Metadata}\", scope=\"mcp\""));
    }

    [Test]
    public async Task Protected_resource_metadata_lists_the_authorization_server_and_the_scope()
    {
        var path = await McpHttp.Shared.GetStringAsync(Metadata);
        var root = await McpHttp.Shared.GetStringAsync($"{BaseUrl}/.well-known/oauth-protected-resource");
        var pathForm = JsonNode.Parse(path)!;
        var rootForm = JsonNode.Parse(root)!;

        Assert.That(pathForm["resource"]!.GetValue<string>(), Is.EqualTo(TestTokens.Resource()));
        Assert.That(pathForm["authorization_servers"]!.AsArray().Select(s => s!.GetValue<string>()), Is.EqualTo(new[] { TestIssuers.Issuer }));
        Assert.That(pathForm["scopes_supported"]!.AsArray().Select(s => s!.GetValue<string>()), Is.EqualTo(new[] { "mcp" }));
        Assert.That(rootForm["resource"]!.GetValue<string>(), Is.EqualTo(BaseUrl));
        Assert.That(rootForm["authorization_servers"]!.AsArray().Select(s => s!.GetValue<string>()), Is.EqualTo(new[] { TestIssuers.Issuer }));
    }

    private static ValueTask<TokenCheck> ValidateAsync(string token) =>
        TestHost.Services.GetRequiredService<AccessTokenValidator>().ValidateAsync(token, "acme", TestTokens.Resource(), BaseUrl, CancellationToken.None);

    /// <summary>Refused over HTTP with 401 invalid_token, and for the reason given (so it cannot pass by failing some other check).</summary>
    private static async Task AssertRefusedAsync(string token, string reason)
    {
        using var response = await Http.SendAsync(Http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"), token: token));
        var check = await ValidateAsync(token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo($"Bearer resource_metadata=\"{Metadata}\", scope=\"mcp\", error=\"invalid_token\""));
        Assert.That(check.Outcome, Is.EqualTo(TokenOutcome.Invalid));
        Assert.That(check.Reason, Is.EqualTo(reason));
    }
}
