using System.Net;

namespace Smcp.Orchestrator.Tests.OAuth.Server;

/// <summary><c>/revoke</c> (RFC 7009): a refresh token takes its family with it; the answer never tells whether a token existed.</summary>
public sealed class RevocationTests
{
    private AuthServerClient _as = null!;

    [OneTimeSetUp]
    public void Start() => _as = new AuthServerClient(OAuthHost.Smcp);

    private Task<HttpResponseMessage> RevokeAsync(string clientId, string token) =>
        _as.PostFormAsync("/oauth/acme/revoke", new Dictionary<string, string> { ["client_id"] = clientId, ["token"] = token, ["token_type_hint"] = "refresh_token" });

    [Test]
    public async Task A_revoked_refresh_token_and_its_family_no_longer_refresh()
    {
        var (clientId, tokens) = await _as.AuthorizedAsync();
        var refreshToken = tokens["refresh_token"]!.GetValue<string>();

        using var revoked = await RevokeAsync(clientId, refreshToken);

        Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var refresh = await _as.TokenAsync(AuthServerClient.RefreshForm(clientId, refreshToken));
        await AuthServerClient.AssertErrorAsync(refresh, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Test]
    public async Task An_unknown_token_is_answered_200()
    {
        var clientId = (await _as.RegisterAsync())["client_id"]!.GetValue<string>();

        using var response = await RevokeAsync(clientId, AuthServerClient.NewVerifier());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_access_token_is_answered_200_and_lives_out_its_lifetime()
    {
        var (clientId, tokens) = await _as.AuthorizedAsync();

        using var response = await RevokeAsync(clientId, tokens["access_token"]!.GetValue<string>());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var refresh = await _as.TokenAsync(AuthServerClient.RefreshForm(clientId, tokens["refresh_token"]!.GetValue<string>()));
        Assert.That(refresh.StatusCode, Is.EqualTo(HttpStatusCode.OK), "revoking the access token left the refresh token alone");
    }

    [Test]
    public async Task Another_clients_token_is_answered_200_and_not_revoked()
    {
        var (clientId, tokens) = await _as.AuthorizedAsync();
        var other = (await _as.RegisterAsync())["client_id"]!.GetValue<string>();

        using var response = await RevokeAsync(other, tokens["refresh_token"]!.GetValue<string>());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var refresh = await _as.TokenAsync(AuthServerClient.RefreshForm(clientId, tokens["refresh_token"]!.GetValue<string>()));
        Assert.That(refresh.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_confidential_client_with_a_wrong_secret_is_401()
    {
        var service = await _as.AddServiceClientAsync();

        using var response = await _as.PostFormAsync("/oauth/acme/revoke", new Dictionary<string, string> { ["token"] = "x" }, (service.Id, "wrong"));

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Test]
    public async Task Without_a_token_it_is_invalid_request()
    {
        var clientId = (await _as.RegisterAsync())["client_id"]!.GetValue<string>();

        using var response = await _as.PostFormAsync("/oauth/acme/revoke", new Dictionary<string, string> { ["client_id"] = clientId });

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }
}
