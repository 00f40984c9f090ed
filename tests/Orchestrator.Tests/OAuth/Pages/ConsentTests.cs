using System.Net;

namespace Smcp.Orchestrator.Tests.OAuth.Pages;

/// <summary>POST /oauth/{tenant}/consent: only the browser that signed in, only on its tenant, gets a code.</summary>
public sealed class ConsentTests
{
    private OAuthBrowser _browser = null!;

    [SetUp]
    public void NewBrowser() => _browser = new OAuthBrowser(OAuthPagesHost.Smcp.BaseAddress);

    [TearDown]
    public void CloseBrowser() => _browser.Dispose();

    // Codes are counted by the call's own code challenge: other fixtures make codes at the same time.
    private static async Task AssertRefusedAsync(HttpResponseMessage response, AuthorizeCall call)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.Location, Is.Null);
        var codes = await OAuthPagesHost.Smcp.Database.SuperuserScalarAsync<long>($"SELECT count(*) FROM oauth_codes WHERE code_challenge = '{call.Challenge}'");
        Assert.That(codes, Is.Zero);
    }

    [Test]
    public async Task Deny_sends_access_denied_with_state_and_issuer()
    {
        var call = new AuthorizeCall();
        var consent = await call.ConsentFormAsync(_browser);
        var query = OAuthBrowser.RedirectQuery(await _browser.PostAsync(consent.Action, consent.With(("deny", "1"))));
        Assert.That(query["error"], Is.EqualTo("access_denied"));
        Assert.That(query["state"], Is.EqualTo(call.State));
        Assert.That(query["iss"], Is.EqualTo(OAuthPagesHost.Issuer("acme")));
        Assert.That(query.ContainsKey("code"), Is.False);
    }

    [Test]
    public async Task The_consent_page_has_approve_and_deny_buttons()
    {
        var consent = await new AuthorizeCall().SignInAsync(_browser);
        var html = await consent.Content.ReadAsStringAsync();
        Assert.That(html, Does.Contain("<button type=\"submit\" name=\"approve\" value=\"1\">").And.Contain("<button type=\"submit\" name=\"deny\" value=\"1\">"));
        Assert.That(consent.Headers.GetValues("X-Frame-Options").Single(), Is.EqualTo("DENY"));
    }

    [Test]
    public async Task A_consent_post_without_the_antiforgery_token_gets_no_code()
    {
        var call = new AuthorizeCall();
        var consent = await call.ConsentFormAsync(_browser);
        var response = await _browser.PostAsync(consent.Action, consent.With(("approve", "1")).Where(f => f.Key != "csrf"));
        await AssertRefusedAsync(response, call);
    }

    [Test]
    public async Task A_consent_post_with_another_browsers_token_gets_no_code()
    {
        var call = new AuthorizeCall();
        var consent = await call.ConsentFormAsync(_browser);
        using var attacker = new OAuthBrowser(OAuthPagesHost.Smcp.BaseAddress);
        var attackerPage = await attacker.GetAsync(new AuthorizeCall().Url());
        var attackerToken = OAuthBrowser.Form(await attackerPage.Content.ReadAsStringAsync()).Hidden["csrf"];

        // The victim's sealed consent with the attacker's token: from the victim's browser (a forged cross-site post,
        // the cookie does not match the token) and from the attacker's (a stolen consent, sealed for another browser).
        var mixed = new PageForm(consent.Action, consent.Hidden.ToDictionary(f => f.Key, f => f.Key == "csrf" ? attackerToken : f.Value));
        await AssertRefusedAsync(await _browser.PostAsync(consent.Action, mixed.With(("approve", "1"))), call);
        await AssertRefusedAsync(await attacker.PostAsync(consent.Action, mixed.With(("approve", "1"))), call);
    }

    [Test]
    public async Task A_consent_sealed_for_one_tenant_is_refused_by_another()
    {
        var call = new AuthorizeCall();
        var consent = await call.ConsentFormAsync(_browser);
        var response = await _browser.PostAsync("/oauth/beta/consent", consent.With(("approve", "1")));
        await AssertRefusedAsync(response, call);
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("expired or is not valid"));
    }

    [Test]
    public async Task A_sign_in_blob_is_no_consent()
    {
        var call = new AuthorizeCall();
        var page = await _browser.GetAsync(call.Url());
        var form = OAuthBrowser.Form(await page.Content.ReadAsStringAsync());
        await AssertRefusedAsync(await _browser.PostAsync("/oauth/acme/consent", form.With(("approve", "1"))), call);
    }

    [Test]
    public async Task A_consent_post_with_neither_button_is_refused()
    {
        var call = new AuthorizeCall();
        var consent = await call.ConsentFormAsync(_browser);
        await AssertRefusedAsync(await _browser.PostAsync(consent.Action, consent.With()), call);
    }
}
