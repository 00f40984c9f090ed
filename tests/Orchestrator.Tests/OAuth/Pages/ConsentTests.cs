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

    private static Task<long> CodesAsync() =>
        OAuthPagesHost.Smcp.Database.SuperuserScalarAsync<long>("SELECT count(*) FROM oauth_codes");

    private static async Task AssertRefusedAsync(HttpResponseMessage response, long codesBefore)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.Location, Is.Null);
        Assert.That(await CodesAsync(), Is.EqualTo(codesBefore));
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
        var consent = await new AuthorizeCall().ConsentFormAsync(_browser);
        var before = await CodesAsync();
        var response = await _browser.PostAsync(consent.Action, consent.With(("approve", "1")).Where(f => f.Key != "csrf"));
        await AssertRefusedAsync(response, before);
    }

    [Test]
    public async Task A_consent_post_with_another_browsers_token_gets_no_code()
    {
        var consent = await new AuthorizeCall().ConsentFormAsync(_browser);
        using var attacker = new OAuthBrowser(OAuthPagesHost.Smcp.BaseAddress);
        var attackerPage = await attacker.GetAsync(new AuthorizeCall().Url());
        var attackerToken = OAuthBrowser.Form(await attackerPage.Content.ReadAsStringAsync()).Hidden["csrf"];
        var before = await CodesAsync();

        // The victim's browser (its cookie) posting a form that carries a token of the attacker's session.
        var forged = consent.Hidden.ToDictionary(f => f.Key, f => f.Key == "csrf" ? attackerToken : f.Value);
        await AssertRefusedAsync(await _browser.PostAsync(consent.Action, new PageForm(consent.Action, forged).With(("approve", "1"))), before);

        // The attacker's browser (its own cookie and token) posting the victim's sealed consent.
        var stolen = consent.Hidden.ToDictionary(f => f.Key, f => f.Key == "csrf" ? attackerToken : f.Value);
        await AssertRefusedAsync(await attacker.PostAsync(consent.Action, new PageForm(consent.Action, stolen).With(("approve", "1"))), before);
    }

    [Test]
    public async Task A_consent_sealed_for_one_tenant_is_refused_by_another()
    {
        var consent = await new AuthorizeCall().ConsentFormAsync(_browser);
        var before = await CodesAsync();
        var response = await _browser.PostAsync("/oauth/beta/consent", consent.With(("approve", "1")));
        await AssertRefusedAsync(response, before);
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("expired or is not valid"));
    }

    [Test]
    public async Task A_sign_in_blob_is_no_consent()
    {
        var page = await _browser.GetAsync(new AuthorizeCall().Url());
        var form = OAuthBrowser.Form(await page.Content.ReadAsStringAsync());
        var before = await CodesAsync();
        await AssertRefusedAsync(await _browser.PostAsync("/oauth/acme/consent", form.With(("approve", "1"))), before);
    }

    [Test]
    public async Task A_consent_post_with_neither_button_is_refused()
    {
        var consent = await new AuthorizeCall().ConsentFormAsync(_browser);
        var before = await CodesAsync();
        await AssertRefusedAsync(await _browser.PostAsync(consent.Action, consent.With()), before);
    }
}
