using System.Net;

namespace Smcp.Orchestrator.Tests.OAuth.Server;

/// <summary><c>grant_type=refresh_token</c>: every use rotates the token; a spent token used again revokes the whole family.</summary>
public sealed class RefreshGrantTests
{
    private AuthServerClient _as = null!;

    [OneTimeSetUp]
    public void Start() => _as = new AuthServerClient(OAuthHost.Smcp);

    private async Task<string> RefreshAsync(string clientId, string refreshToken)
    {
        using var response = await _as.TokenAsync(AuthServerClient.RefreshForm(clientId, refreshToken));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await AuthServerClient.JsonAsync(response))["refresh_token"]!.GetValue<string>();
    }

    [Test]
    public async Task A_refresh_gives_a_new_refresh_token_and_an_access_token_for_the_same_user_and_resource()
    {
        var (clientId, tokens) = await _as.AuthorizedAsync();
        var first = tokens["refresh_token"]!.GetValue<string>();
        var (_, original) = await _as.DecodeAsync(tokens["access_token"]!.GetValue<string>());

        using var response = await _as.TokenAsync(AuthServerClient.RefreshForm(clientId, first));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var refreshed = await AuthServerClient.JsonAsync(response);
        Assert.That(refreshed["refresh_token"]!.GetValue<string>(), Is.Not.EqualTo(first));
        var (_, claims) = await _as.DecodeAsync(refreshed["access_token"]!.GetValue<string>());
        Assert.That(claims["sub"]!.GetValue<string>(), Is.EqualTo(original["sub"]!.GetValue<string>()));
        Assert.That(claims["aud"]!.GetValue<string>(), Is.EqualTo(_as.Resource()));
        Assert.That(claims["jti"]!.GetValue<string>(), Is.Not.EqualTo(original["jti"]!.GetValue<string>()));
    }

    [Test]
    public async Task A_spent_refresh_token_used_again_revokes_the_family_with_the_newest_token()
    {
        var (clientId, tokens) = await _as.AuthorizedAsync();
        var first = tokens["refresh_token"]!.GetValue<string>();
        var second = await RefreshAsync(clientId, first);

        using var reuse = await _as.TokenAsync(AuthServerClient.RefreshForm(clientId, first));
        await AuthServerClient.AssertErrorAsync(reuse, HttpStatusCode.BadRequest, "invalid_grant");
        using var newest = await _as.TokenAsync(AuthServerClient.RefreshForm(clientId, second));
        await AuthServerClient.AssertErrorAsync(newest, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Test]
    public async Task Two_redemptions_of_one_refresh_token_at_once_give_one_new_token_and_then_revoke_it()
    {
        var (clientId, tokens) = await _as.AuthorizedAsync();
        var form = AuthServerClient.RefreshForm(clientId, tokens["refresh_token"]!.GetValue<string>());

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _as.TokenAsync(form)));
        var winners = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();

        Assert.That(winners, Has.Count.EqualTo(1), "the row lock lets one redemption rotate the token; the others see it spent");
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.BadRequest), Is.EqualTo(responses.Length - 1));
        var newest = (await AuthServerClient.JsonAsync(winners[0]))["refresh_token"]!.GetValue<string>();
        using var after = await _as.TokenAsync(AuthServerClient.RefreshForm(clientId, newest));
        await AuthServerClient.AssertErrorAsync(after, HttpStatusCode.BadRequest, "invalid_grant");
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Test]
    public async Task A_refresh_may_narrow_the_scope_but_not_widen_it_and_a_refused_one_spends_nothing()
    {
        var (clientId, tokens) = await _as.AuthorizedAsync();
        var refreshToken = tokens["refresh_token"]!.GetValue<string>();
        var widen = AuthServerClient.RefreshForm(clientId, refreshToken);
        widen["scope"] = "mcp admin";

        using var widened = await _as.TokenAsync(widen);
        await AuthServerClient.AssertErrorAsync(widened, HttpStatusCode.BadRequest, "invalid_scope");
        var same = AuthServerClient.RefreshForm(clientId, refreshToken);
        same["scope"] = "mcp";
        using var narrowed = await _as.TokenAsync(same);
        Assert.That(narrowed.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the refused request did not spend the token");
        Assert.That((await AuthServerClient.JsonAsync(narrowed))["scope"]!.GetValue<string>(), Is.EqualTo("mcp"));
    }

    [Test]
    public async Task A_refresh_for_another_resource_is_invalid_target()
    {
        var (clientId, tokens) = await _as.AuthorizedAsync();
        var form = AuthServerClient.RefreshForm(clientId, tokens["refresh_token"]!.GetValue<string>());
        form["resource"] = _as.Resource(server: "elsewhere");

        using var response = await _as.TokenAsync(form);

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_target");
    }

    [Test]
    public async Task Another_clients_refresh_token_is_invalid_grant()
    {
        var (_, tokens) = await _as.AuthorizedAsync();
        var other = (await _as.RegisterAsync())["client_id"]!.GetValue<string>();

        using var response = await _as.TokenAsync(AuthServerClient.RefreshForm(other, tokens["refresh_token"]!.GetValue<string>()));

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Test]
    public async Task A_disabled_users_refresh_token_no_longer_refreshes()
    {
        var (clientId, tokens) = await _as.AuthorizedAsync();
        var (_, claims) = await _as.DecodeAsync(tokens["access_token"]!.GetValue<string>());
        var userId = claims["sub"]!.GetValue<string>()["user:".Length..];
        await _as.Smcp.Database.SuperuserExecuteAsync($"UPDATE oauth_users SET disabled_at = now() WHERE id = '{userId}'");

        using var response = await _as.TokenAsync(AuthServerClient.RefreshForm(clientId, tokens["refresh_token"]!.GetValue<string>()));

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Test]
    public async Task An_unknown_refresh_token_is_invalid_grant()
    {
        var clientId = (await _as.RegisterAsync())["client_id"]!.GetValue<string>();

        using var response = await _as.TokenAsync(AuthServerClient.RefreshForm(clientId, AuthServerClient.NewVerifier()));

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Test]
    public async Task Issued_tokens_and_a_reuse_are_audit_rows_of_the_tenant()
    {
        var (clientId, tokens) = await _as.AuthorizedAsync();
        var first = tokens["refresh_token"]!.GetValue<string>();
        await RefreshAsync(clientId, first);
        using var reuse = await _as.TokenAsync(AuthServerClient.RefreshForm(clientId, first));
        var (_, claims) = await _as.DecodeAsync(tokens["access_token"]!.GetValue<string>());

        var rows = await _as.Smcp.Database.SuperuserScalarAsync<string>(
            $"SELECT string_agg(action || ' ' || outcome || ' ' || coalesce(principal, ''), ',' ORDER BY seq) FROM audit_log WHERE tenant_id = 'acme' AND target = '{clientId}'");
        var user = claims["sub"]!.GetValue<string>();
        Assert.That(rows.Split(','), Is.EqualTo(new[]
        {
            "oauth-client.register ok ", // no principal: registration is anonymous
            $"oauth.token ok {user}",
            $"oauth.token ok {user}",
            $"oauth.refresh-reuse denied {user}",
        }));
    }
}
