using System.Net;

namespace Smcp.Orchestrator.Tests.OAuth.Server;

/// <summary><c>grant_type=authorization_code</c> at <c>/token</c>: once, for its client, with its redirect URI and its S256 verifier.</summary>
public sealed class CodeGrantTests
{
    private AuthServerClient _as = null!;

    [OneTimeSetUp]
    public void Start() => _as = new AuthServerClient(OAuthHost.Smcp);

    private async Task<(string ClientId, string Code, string Verifier)> CodeAsync(string tenant = "acme")
    {
        var clientId = (await _as.RegisterAsync(tenant: tenant))["client_id"]!.GetValue<string>();
        var verifier = AuthServerClient.NewVerifier();
        return (clientId, await _as.CodeAsync(clientId, await _as.AddUserAsync(tenant), AuthServerClient.Challenge(verifier), tenant), verifier);
    }

    [Test]
    public async Task A_code_with_its_verifier_gives_an_access_token_with_the_documented_claims_and_a_refresh_token()
    {
        var clientId = (await _as.RegisterAsync())["client_id"]!.GetValue<string>();
        var userId = await _as.AddUserAsync();
        var verifier = AuthServerClient.NewVerifier();
        var code = await _as.CodeAsync(clientId, userId, AuthServerClient.Challenge(verifier));

        using var response = await _as.TokenAsync(AuthServerClient.CodeForm(clientId, code, verifier));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        var tokens = await AuthServerClient.JsonAsync(response);
        Assert.That(tokens["token_type"]!.GetValue<string>(), Is.EqualTo("Bearer"));
        Assert.That(tokens["expires_in"]!.GetValue<long>(), Is.EqualTo(3600));
        Assert.That(tokens["scope"]!.GetValue<string>(), Is.EqualTo("mcp"));
        Assert.That(tokens["refresh_token"]!.GetValue<string>(), Has.Length.EqualTo(43));
        var (header, claims) = await _as.DecodeAsync(tokens["access_token"]!.GetValue<string>());
        Assert.That(header["alg"]!.GetValue<string>(), Is.EqualTo("ES256"));
        Assert.That(header["typ"]!.GetValue<string>(), Is.EqualTo("at+jwt"));
        Assert.That(claims["iss"]!.GetValue<string>(), Is.EqualTo(_as.Issuer()));
        Assert.That(claims["sub"]!.GetValue<string>(), Is.EqualTo($"user:{userId}"));
        Assert.That(claims["aud"]!.GetValue<string>(), Is.EqualTo(_as.Resource()));
        Assert.That(claims["client_id"]!.GetValue<string>(), Is.EqualTo(clientId));
        Assert.That(claims["scope"]!.GetValue<string>(), Is.EqualTo("mcp"));
        Assert.That(claims["smcp_tenant"]!.GetValue<string>(), Is.EqualTo("acme"));
        Assert.That(claims["jti"]!.GetValue<string>(), Is.Not.Empty);
        var iat = claims["iat"]!.GetValue<long>();
        Assert.That(claims["exp"]!.GetValue<long>() - iat, Is.EqualTo(3600));
        Assert.That(claims["nbf"]!.GetValue<long>(), Is.EqualTo(iat));
        Assert.That(iat, Is.EqualTo(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).Within(60));
    }

    [Test]
    public async Task A_code_without_a_verifier_is_invalid_request_and_stays_redeemable()
    {
        var (clientId, code, verifier) = await CodeAsync();
        var form = AuthServerClient.CodeForm(clientId, code, verifier);
        form.Remove("code_verifier");

        using var refused = await _as.TokenAsync(form);
        await AuthServerClient.AssertErrorAsync(refused, HttpStatusCode.BadRequest, "invalid_request");
        using var redeemed = await _as.TokenAsync(AuthServerClient.CodeForm(clientId, code, verifier));
        Assert.That(redeemed.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a request refused for its form does not spend the code");
    }

    [Test]
    public async Task A_verifier_that_is_not_43_to_128_unreserved_characters_is_invalid_request()
    {
        var (clientId, code, _) = await CodeAsync();

        using var tooShort = await _as.TokenAsync(AuthServerClient.CodeForm(clientId, code, "short"));
        await AuthServerClient.AssertErrorAsync(tooShort, HttpStatusCode.BadRequest, "invalid_request");
        using var badCharacters = await _as.TokenAsync(AuthServerClient.CodeForm(clientId, code, new string('a', 42) + "+"));
        await AuthServerClient.AssertErrorAsync(badCharacters, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Test]
    public async Task A_wrong_verifier_is_invalid_grant_and_burns_the_code()
    {
        var (clientId, code, verifier) = await CodeAsync();

        using var wrong = await _as.TokenAsync(AuthServerClient.CodeForm(clientId, code, AuthServerClient.NewVerifier()));
        await AuthServerClient.AssertErrorAsync(wrong, HttpStatusCode.BadRequest, "invalid_grant");
        using var retried = await _as.TokenAsync(AuthServerClient.CodeForm(clientId, code, verifier));
        await AuthServerClient.AssertErrorAsync(retried, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Test]
    public async Task A_plain_challenge_does_not_verify()
    {
        var clientId = (await _as.RegisterAsync())["client_id"]!.GetValue<string>();
        var verifier = AuthServerClient.NewVerifier();
        var code = await _as.CodeAsync(clientId, await _as.AddUserAsync(), challenge: verifier);

        using var response = await _as.TokenAsync(AuthServerClient.CodeForm(clientId, code, verifier));

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [TestCase(AuthServerClient.RedirectUri + "/")]
    [TestCase("http://127.0.0.1:53682/Callback")]
    [TestCase("http://localhost:53682/callback")]
    public async Task A_redirect_uri_other_than_the_codes_character_for_character_is_invalid_grant(string redirectUri)
    {
        var (clientId, code, verifier) = await CodeAsync();

        using var response = await _as.TokenAsync(AuthServerClient.CodeForm(clientId, code, verifier, redirectUri));

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Test]
    public async Task A_reused_code_is_refused_and_revokes_the_refresh_token_of_its_first_use()
    {
        var (clientId, code, verifier) = await CodeAsync();
        using var first = await _as.TokenAsync(AuthServerClient.CodeForm(clientId, code, verifier));
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var refreshToken = (await AuthServerClient.JsonAsync(first))["refresh_token"]!.GetValue<string>();

        using var second = await _as.TokenAsync(AuthServerClient.CodeForm(clientId, code, verifier));
        await AuthServerClient.AssertErrorAsync(second, HttpStatusCode.BadRequest, "invalid_grant");
        using var refresh = await _as.TokenAsync(AuthServerClient.RefreshForm(clientId, refreshToken));
        await AuthServerClient.AssertErrorAsync(refresh, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Test]
    public async Task Two_redemptions_of_one_code_at_once_give_tokens_once()
    {
        var (clientId, code, verifier) = await CodeAsync();
        var form = AuthServerClient.CodeForm(clientId, code, verifier);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _as.TokenAsync(form)));

        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.OK), Is.EqualTo(1), "the row lock lets one redemption spend the code");
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.BadRequest), Is.EqualTo(responses.Length - 1));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Test]
    public async Task A_code_of_a_user_disabled_since_the_consent_gives_no_tokens()
    {
        var clientId = (await _as.RegisterAsync())["client_id"]!.GetValue<string>();
        var userId = await _as.AddUserAsync();
        var verifier = AuthServerClient.NewVerifier();
        var code = await _as.CodeAsync(clientId, userId, AuthServerClient.Challenge(verifier));
        await _as.Smcp.Database.SuperuserExecuteAsync($"UPDATE oauth_users SET disabled_at = now() WHERE id = '{userId}'");

        using var response = await _as.TokenAsync(AuthServerClient.CodeForm(clientId, code, verifier));

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Test]
    public async Task A_code_issued_to_another_client_is_invalid_grant()
    {
        var (_, code, verifier) = await CodeAsync();
        var other = (await _as.RegisterAsync())["client_id"]!.GetValue<string>();

        using var response = await _as.TokenAsync(AuthServerClient.CodeForm(other, code, verifier));

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Test]
    public async Task A_resource_other_than_the_codes_is_invalid_target()
    {
        var (clientId, code, verifier) = await CodeAsync();
        var form = AuthServerClient.CodeForm(clientId, code, verifier);
        form["resource"] = _as.Resource(server: "other");

        using var response = await _as.TokenAsync(form);

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_target");
    }

    [Test]
    public async Task Another_tenants_code_is_unknown_here()
    {
        var clientId = (await _as.RegisterAsync())["client_id"]!.GetValue<string>();
        var verifier = AuthServerClient.NewVerifier();
        var code = await _as.CodeAsync(clientId, await _as.AddUserAsync("beta"), AuthServerClient.Challenge(verifier), "beta");

        using var response = await _as.TokenAsync(AuthServerClient.CodeForm(clientId, code, verifier), tenant: "acme");

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Test]
    public async Task A_confidential_client_that_does_not_authenticate_is_invalid_client()
    {
        var registered = await _as.RegisterAsync(new()
        {
            ["redirect_uris"] = new System.Text.Json.Nodes.JsonArray(AuthServerClient.RedirectUri),
            ["token_endpoint_auth_method"] = "client_secret_post",
        });
        var clientId = registered["client_id"]!.GetValue<string>();
        var verifier = AuthServerClient.NewVerifier();
        var code = await _as.CodeAsync(clientId, await _as.AddUserAsync(), AuthServerClient.Challenge(verifier));

        using var unauthenticated = await _as.TokenAsync(AuthServerClient.CodeForm(clientId, code, verifier));
        await AuthServerClient.AssertErrorAsync(unauthenticated, HttpStatusCode.Unauthorized, "invalid_client");
        var form = AuthServerClient.CodeForm(clientId, code, verifier);
        form["client_secret"] = registered["client_secret"]!.GetValue<string>();
        using var authenticated = await _as.TokenAsync(form);
        Assert.That(authenticated.StatusCode, Is.EqualTo(HttpStatusCode.OK), await authenticated.Content.ReadAsStringAsync());
        Assert.That((await AuthServerClient.JsonAsync(authenticated)).ContainsKey("refresh_token"), Is.False, "a client registered for authorization_code only gets no refresh token");
    }
}
