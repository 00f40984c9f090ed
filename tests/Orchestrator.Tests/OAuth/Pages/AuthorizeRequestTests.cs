using System.Net;

namespace Smcp.Orchestrator.Tests.OAuth.Pages;

/// <summary>GET /oauth/{tenant}/authorize: what is shown as a page, what goes back to the client, and the page's headers.</summary>
public sealed class AuthorizeRequestTests
{
    private OAuthBrowser _browser = null!;

    [SetUp]
    public void NewBrowser() => _browser = new OAuthBrowser(OAuthPagesHost.Smcp.BaseAddress);

    [TearDown]
    public void CloseBrowser() => _browser.Dispose();

    private async Task AssertErrorPageAsync(HttpResponseMessage response, string expected)
    {
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), html);
        Assert.That(response.Headers.Location, Is.Null);
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"));
        Assert.That(html, Does.Contain(expected));
        Assert.That(html, Does.Not.Contain("<form"));
    }

    [Test]
    public async Task An_unknown_client_is_a_400_page_not_a_redirect()
    {
        var call = new AuthorizeCall();
        await AssertErrorPageAsync(await _browser.GetAsync(call.Url(("client_id", "nobody"))), "not known");
    }

    [Test]
    public async Task A_missing_client_id_is_a_400_page()
    {
        var call = new AuthorizeCall();
        await AssertErrorPageAsync(await _browser.GetAsync(call.Url(("client_id", null))), "client_id");
    }

    [Test]
    public async Task A_redirect_uri_the_client_did_not_register_is_a_400_page()
    {
        var call = new AuthorizeCall();
        await AssertErrorPageAsync(await _browser.GetAsync(call.Url(("redirect_uri", "https://evil.example/callback"))), "redirect_uri");
    }

    [Test]
    public async Task A_missing_redirect_uri_is_a_400_page()
    {
        var call = new AuthorizeCall();
        await AssertErrorPageAsync(await _browser.GetAsync(call.Url(("redirect_uri", null))), "redirect_uri");
    }

    [TestCase("http://127.0.0.1:7777/callback/../../evil", TestName = "Open_redirect_with_an_extra_path_is_a_400_page")]
    [TestCase("http://127.0.0.1:7777/callback/extra", TestName = "Open_redirect_with_a_longer_path_is_a_400_page")]
    [TestCase("http://127.0.0.1:7777/callback?next=https://evil.example", TestName = "Open_redirect_with_an_added_query_is_a_400_page")]
    [TestCase("http://evil.example@127.0.0.1:7777/callback", TestName = "Open_redirect_with_userinfo_is_a_400_page")]
    [TestCase("http://127.0.0.1:7778/callback", TestName = "Open_redirect_to_another_port_is_a_400_page")]
    [TestCase("http://127.0.0.1:7777/Callback", TestName = "Open_redirect_differing_in_case_is_a_400_page")]
    [TestCase("http://127.0.0.1:7777/callback#x", TestName = "Open_redirect_with_a_fragment_is_a_400_page")]
    [TestCase("https://app.example.com/cb", TestName = "Open_redirect_without_the_registered_query_is_a_400_page")]
    public async Task Open_redirect_attempts_are_a_400_page(string redirectUri)
    {
        var call = new AuthorizeCall();
        await AssertErrorPageAsync(await _browser.GetAsync(call.Url(("redirect_uri", redirectUri))), "redirect_uri");
    }

    [Test]
    public async Task A_repeated_redirect_uri_is_a_400_page()
    {
        var call = new AuthorizeCall();
        var url = call.Url() + "&redirect_uri=" + Uri.EscapeDataString("https://evil.example/cb");
        await AssertErrorPageAsync(await _browser.GetAsync(url), "redirect_uri");
    }

    [TestCase(null, TestName = "Missing_PKCE_is_redirected_as_invalid_request")]
    [TestCase("plain", TestName = "PKCE_plain_is_redirected_as_invalid_request")]
    public async Task PKCE_other_than_S256_is_invalid_request(string? method)
    {
        var call = new AuthorizeCall();
        var query = OAuthBrowser.RedirectQuery(await _browser.GetAsync(method is null
            ? call.Url(("code_challenge", null), ("code_challenge_method", null))
            : call.Url(("code_challenge", call.Verifier), ("code_challenge_method", method))));
        Assert.That(query["error"], Is.EqualTo("invalid_request"));
        Assert.That(query["error_description"], Does.Contain("S256"));
    }

    [Test]
    public async Task A_challenge_without_a_method_is_refused_as_plain_would_be()
    {
        var call = new AuthorizeCall();
        var query = OAuthBrowser.RedirectQuery(await _browser.GetAsync(call.Url(("code_challenge_method", null))));
        Assert.That(query["error"], Is.EqualTo("invalid_request"));
    }

    [TestCase(null, TestName = "A_missing_resource_is_invalid_target")]
    [TestCase("beta", TestName = "Another_tenants_resource_is_invalid_target")]
    [TestCase("https://evil.example/t/acme/notes/mcp", TestName = "A_resource_on_another_host_is_invalid_target")]
    [TestCase("bad-server", TestName = "A_resource_with_an_invalid_server_name_is_invalid_target")]
    public async Task Resources_other_than_this_tenants_MCP_endpoints_are_invalid_target(string? resource)
    {
        var call = new AuthorizeCall();
        var value = resource switch
        {
            "beta" => OAuthPagesHost.Resource("beta"),
            "bad-server" => OAuthPagesHost.Resource("acme", "Not_Valid"),
            _ => resource,
        };
        var query = OAuthBrowser.RedirectQuery(await _browser.GetAsync(call.Url(("resource", value))));
        Assert.That(query["error"], Is.EqualTo("invalid_target"));
    }

    [Test]
    public async Task Errors_sent_back_carry_the_state_and_the_issuer()
    {
        var call = new AuthorizeCall();
        var response = await _browser.GetAsync(call.Url(("response_type", "token")));
        var query = OAuthBrowser.RedirectQuery(response);
        Assert.That(response.Headers.Location!.GetLeftPart(UriPartial.Path), Is.EqualTo(OAuthPagesHost.RedirectUri));
        Assert.That(query["error"], Is.EqualTo("unsupported_response_type"));
        Assert.That(query["state"], Is.EqualTo(call.State));
        Assert.That(query["iss"], Is.EqualTo(OAuthPagesHost.Issuer("acme")));
    }

    [TestCase("openid", TestName = "The_openid_scope_is_invalid_scope")]
    [TestCase("mcp admin", TestName = "An_unknown_scope_is_invalid_scope")]
    public async Task Unsupported_scopes_are_invalid_scope(string scope)
    {
        var call = new AuthorizeCall();
        Assert.That(OAuthBrowser.RedirectQuery(await _browser.GetAsync(call.Url(("scope", scope))))["error"], Is.EqualTo("invalid_scope"));
    }

    [Test]
    public async Task A_client_without_the_code_grant_is_unauthorized_client()
    {
        var call = new AuthorizeCall();
        var query = OAuthBrowser.RedirectQuery(await _browser.GetAsync(call.Url(("client_id", OAuthPagesHost.ServiceClientId))));
        Assert.That(query["error"], Is.EqualTo("unauthorized_client"));
    }

    [Test]
    public async Task A_redirect_uri_with_its_own_query_keeps_it()
    {
        var call = new AuthorizeCall();
        var query = OAuthBrowser.RedirectQuery(await _browser.GetAsync(call.Url(("redirect_uri", "https://app.example.com/cb?x=1"), ("resource", null))));
        Assert.That(query["x"], Is.EqualTo("1"));
        Assert.That(query["error"], Is.EqualTo("invalid_target"));
    }

    [TestCase("frozen", TestName = "A_suspended_tenant_has_no_sign_in")]
    [TestCase("nobody", TestName = "A_tenant_not_in_the_config_has_no_sign_in")]
    public async Task Only_active_tenants_have_a_sign_in(string tenant)
    {
        var response = await _browser.GetAsync(new AuthorizeCall(tenant).Url());
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(response.Headers.Location, Is.Null);
    }

    [Test]
    public async Task The_sign_in_page_forbids_framing_caching_scripts_and_referrers()
    {
        var response = await _browser.GetAsync(new AuthorizeCall().Url());
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(),
            Is.EqualTo("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"));
        Assert.That(response.Headers.GetValues("X-Frame-Options").Single(), Is.EqualTo("DENY"));
        Assert.That(response.Headers.CacheControl!.NoStore, Is.True);
        Assert.That(response.Headers.GetValues("Referrer-Policy").Single(), Is.EqualTo("no-referrer"));
    }

    [Test]
    public async Task The_sign_in_page_has_one_form_with_username_password_and_the_sealed_request()
    {
        var html = await (await _browser.GetAsync(new AuthorizeCall().Url())).Content.ReadAsStringAsync();
        var form = OAuthBrowser.Form(html);
        Assert.That(form.Action, Is.EqualTo("/oauth/acme/authorize"));
        Assert.That(form.Hidden.Keys, Is.EquivalentTo(new[] { "csrf", "request" }));
        Assert.That(html, Does.Contain("name=\"username\"").And.Contain("name=\"password\""));
        Assert.That(html, Does.Contain("Notes app").And.Contain("127.0.0.1:7777").And.Contain(OAuthPagesHost.Resource("acme")));
    }

    [Test]
    public async Task A_hostile_client_name_is_shown_escaped()
    {
        var html = await (await _browser.GetAsync(new AuthorizeCall().Url(("client_id", OAuthPagesHost.HostileClientId)))).Content.ReadAsStringAsync();
        Assert.That(html, Does.Not.Contain("<script>").And.Not.Contain("<b onmouseover"));
        Assert.That(html, Does.Contain("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;b onmouseover=&quot;x&quot;&gt;&amp;amp;"));
    }
}
