using System.Net;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.OAuth.Upstream;
using Smcp.Orchestrator.OAuth.Users;
using Smcp.Orchestrator.Tests.OAuth.Pages;
using Smcp.Orchestrator.Tests.OAuth.Server;

namespace Smcp.Orchestrator.Tests.OAuth.Upstream;

/// <summary>
/// Signing in through the tenant's own OpenID provider (oidc-provider on loopback): the code it gives back redeems at
/// the built-in issuer, and every way to misuse the round trip is refused with no code issued.
/// </summary>
public sealed class UpstreamSignInTests
{
    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string says)
    {
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), html);
        Assert.That(response.Headers.Location, Is.Null);
        Assert.That(html, Does.Contain(says));
        Assert.That(html, Does.Not.Contain("name=\"approve\""));
    }

    private static Task<long> AuditRowsAsync(string tenant, string outcome) =>
        UpstreamHost.Smcp.Database.SuperuserScalarAsync<long>(
            $"SELECT count(*) FROM audit_log WHERE tenant_id = '{tenant}' AND action = 'oauth.upstream-sign-in' AND outcome = '{outcome}'");

    [Test]
    public async Task The_sign_in_page_offers_the_forms_the_tenant_allows()
    {
        using var acme = new UpstreamFlow("acme");
        using var beta = new UpstreamFlow("beta");
        using var gamma = new UpstreamFlow("gamma");

        Assert.That((await acme.SignInFormsAsync()).Select(f => f.Action), Is.EqualTo(new[] { "/oauth/acme/authorize", "/oauth/acme/upstream" }));
        Assert.That((await beta.SignInFormsAsync()).Select(f => f.Action), Is.EqualTo(new[] { "/oauth/beta/upstream" }));
        Assert.That((await gamma.SignInFormsAsync()).Select(f => f.Action), Is.EqualTo(new[] { "/oauth/gamma/authorize" }));
        using var page = await acme.Browser.GetAsync(acme.Call.Url());
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("Sign in with Example SSO"));
    }

    [Test]
    public async Task A_user_signed_in_upstream_gets_a_code_that_redeems_for_tokens()
    {
        var okBefore = await AuditRowsAsync("acme", "ok");
        using var flow = new UpstreamFlow("acme");
        var code = await flow.CodeAsync("alice");

        using var token = await UpstreamHost.Smcp.Client().PostAsync("/oauth/acme/token", new FormUrlEncodedContent(
            AuthServerClient.CodeForm(UpstreamHost.ClientId, code, flow.Call.Verifier, UpstreamHost.RedirectUri)));
        var body = await AuthServerClient.JsonAsync(token);
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        Assert.That(body["access_token"]?.GetValue<string>(), Is.Not.Empty);
        Assert.That(await AuditRowsAsync("acme", "ok"), Is.EqualTo(okBefore + 1));
        var linked = await UpstreamHost.Smcp.Database.SuperuserScalarAsync<string>(
            "SELECT upstream_subject FROM oauth_users WHERE tenant_id = 'acme' AND email = 'alice@example.com'");
        Assert.That(linked, Is.EqualTo(UpstreamHost.Provider.Issuer + " alice"));
    }

    [Test]
    public async Task A_tenant_without_passwords_signs_in_upstream_and_refuses_a_password_post()
    {
        using var flow = new UpstreamFlow("beta");
        Assert.That(await flow.CodeAsync("alice"), Is.Not.Empty);

        using var other = new UpstreamFlow("beta");
        var form = (await other.SignInFormsAsync()).Single();
        using var password = await other.Browser.PostAsync("/oauth/beta/authorize", form.With(("username", "alice@example.com"), ("password", "a long enough password")));
        await AssertRefusedAsync(password, HttpStatusCode.BadRequest, "does not sign in with passwords");
    }

    [Test]
    public async Task A_tenant_without_a_provider_refuses_the_upstream_form()
    {
        using var flow = new UpstreamFlow("gamma");
        var form = (await flow.SignInFormsAsync()).Single();
        using var response = await flow.Browser.PostAsync("/oauth/gamma/upstream", form.With(("upstream", "1")));
        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "signs in with no other provider");
    }

    [Test]
    public async Task A_callback_with_another_state_is_refused()
    {
        using var flow = new UpstreamFlow();
        var url = await flow.CallbackUrlAsync("alice");
        var state = UpstreamFlow.Parameter(url, "state");
        using var response = await flow.CallbackAsync(url.Replace("state=" + state, "state=" + state + "x", StringComparison.Ordinal));
        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "has expired, was already used, or was started in another browser");
    }

    [Test]
    public async Task A_callback_replayed_with_its_cookie_is_refused()
    {
        using var flow = new UpstreamFlow();
        var url = await flow.CallbackUrlAsync("alice");
        var cookie = flow.Browser.Cookies.GetCookies(new Uri(url)).Single(c => c.Name == UpstreamSignInEndpoint.PendingCookie);
        using (var first = await flow.CallbackAsync(url))
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK), await first.Content.ReadAsStringAsync());
        }

        flow.Browser.Cookies.Add(new Cookie(cookie.Name, cookie.Value, cookie.Path, cookie.Domain));
        using var replay = await flow.CallbackAsync(url);
        await AssertRefusedAsync(replay, HttpStatusCode.BadRequest, "was already used");
    }

    [Test]
    public async Task A_callback_opened_in_another_browser_is_refused()
    {
        using var flow = new UpstreamFlow();
        var url = await flow.CallbackUrlAsync("alice");
        using var victim = new OAuthBrowser(UpstreamHost.Smcp.BaseAddress);
        using var response = await victim.GetAsync(url);
        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "started in another browser");
    }

    [Test]
    public async Task A_callback_of_one_tenant_brought_to_another_is_refused()
    {
        using var flow = new UpstreamFlow("acme");
        var url = await flow.CallbackUrlAsync("alice");
        var cookie = flow.Browser.Cookies.GetCookies(new Uri(url)).Single(c => c.Name == UpstreamSignInEndpoint.PendingCookie);
        flow.Browser.Cookies.Add(new Cookie(cookie.Name, cookie.Value, "/oauth/beta/upstream", cookie.Domain));
        using var response = await flow.CallbackAsync(url.Replace("/oauth/acme/", "/oauth/beta/", StringComparison.Ordinal));
        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "has expired");
    }

    [Test]
    public async Task A_callback_naming_another_issuer_is_refused()
    {
        using var flow = new UpstreamFlow();
        var url = await flow.CallbackUrlAsync("alice");
        var issuer = UpstreamFlow.Parameter(url, "iss");
        using var response = await flow.CallbackAsync(url.Replace("iss=" + Uri.EscapeDataString(issuer), "iss=" + Uri.EscapeDataString("https://evil.example"), StringComparison.Ordinal));
        await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "has expired");
    }

    [Test]
    public async Task Cancelling_at_the_provider_returns_access_denied_to_the_client()
    {
        using var flow = new UpstreamFlow();
        using var response = await flow.CallbackAsync(await flow.CallbackUrlAsync("alice", cancel: true));
        var query = OAuthBrowser.RedirectQuery(response);
        Assert.That(response.Headers.Location!.GetLeftPart(UriPartial.Path), Is.EqualTo(UpstreamHost.RedirectUri));
        Assert.That(query["error"], Is.EqualTo("access_denied"));
        Assert.That(query["state"], Is.EqualTo(flow.Call.State));
        Assert.That(query["iss"], Is.EqualTo($"{UpstreamHost.BaseUrl}/oauth/acme"));
        Assert.That(query.ContainsKey("code"), Is.False);
    }

    [TestCase("bob", "bob@example.com", TestName = "An account at the provider with no user of the tenant is refused")]
    [TestCase("carol", "carol@example.com", TestName = "An account at the provider whose user is disabled is refused")]
    [TestCase("alice-unverified", "alice@example.com", TestName = "An account whose email the provider has not verified is refused")]
    [TestCase("nomail", "sent no email address", TestName = "An account with no email claim is refused")]
    public async Task Refused_identity(string login, string says)
    {
        var refusedBefore = await AuditRowsAsync("acme", "refused");
        using var flow = new UpstreamFlow();
        using var response = await flow.CallbackAsync(await flow.CallbackUrlAsync(login));
        await AssertRefusedAsync(response, HttpStatusCode.Forbidden, says);
        Assert.That(await AuditRowsAsync("acme", "refused"), Is.EqualTo(refusedBefore + 1));
    }

    [Test]
    public async Task Once_linked_a_user_cannot_be_reached_through_another_account_with_the_same_email()
    {
        using (var first = new UpstreamFlow("acme"))
        {
            using var signedIn = await first.CallbackAsync(await first.CallbackUrlAsync("dave"));
            Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using var second = new UpstreamFlow("acme");
        using var response = await second.CallbackAsync(await second.CallbackUrlAsync("dave-again"));
        await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "dave@example.com");
    }

    [Test]
    public async Task A_user_added_without_a_password_signs_in_upstream_only()
    {
        var config = ConfigLoader.Load(UpstreamHost.Smcp.ConfigPath).Config!;
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.That(await UserAddCommand.RunAsync(config, "beta", "bob@example.com", null, output, error, CancellationToken.None), Is.Zero, error.ToString());
        var hash = await UpstreamHost.Smcp.Database.SuperuserScalarAsync<long>(
            "SELECT count(*) FROM oauth_users WHERE tenant_id = 'beta' AND email = 'bob@example.com' AND password_hash IS NULL");
        Assert.That(hash, Is.EqualTo(1));

        using var flow = new UpstreamFlow("beta");
        Assert.That(await flow.CodeAsync("bob"), Is.Not.Empty);

        Assert.That(await UserAddCommand.RunAsync(config, "gamma", "bob@example.com", null, output, error, CancellationToken.None), Is.EqualTo(UserAddCommand.NoUpstream));
        Assert.That(error.ToString(), Does.Contain("has no signIn.upstream provider"));
    }
}
