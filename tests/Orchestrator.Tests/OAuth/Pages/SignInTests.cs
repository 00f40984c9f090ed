using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Smcp.Orchestrator.OAuth;
using Smcp.Orchestrator.OAuth.Pages;
using Smcp.Orchestrator.OAuth.Users;

namespace Smcp.Orchestrator.Tests.OAuth.Pages;

/// <summary>POST /oauth/{tenant}/authorize and the whole way to a code.</summary>
public sealed partial class SignInTests
{
    private OAuthBrowser _browser = null!;

    [SetUp]
    public void NewBrowser() => _browser = new OAuthBrowser(OAuthPagesHost.Smcp.BaseAddress);

    [TearDown]
    public void CloseBrowser() => _browser.Dispose();

    [Test]
    public async Task Sign_in_and_approve_yield_a_code_that_redeems_to_the_approved_grant()
    {
        var call = new AuthorizeCall();
        var consent = await call.ConsentFormAsync(_browser);
        Assert.That(consent.Action, Is.EqualTo("/oauth/acme/consent"));
        var response = await _browser.PostAsync(consent.Action, consent.With(("approve", "1")));
        var query = OAuthBrowser.RedirectQuery(response);
        Assert.That(response.Headers.Location!.GetLeftPart(UriPartial.Path), Is.EqualTo(OAuthPagesHost.RedirectUri));
        Assert.That(query["state"], Is.EqualTo(call.State));
        Assert.That(query["iss"], Is.EqualTo(OAuthPagesHost.Issuer("acme")));

        var codes = OAuthPagesHost.Smcp.Services.GetRequiredService<AuthorizationCodeStore>();
        var redemption = await codes.RedeemAsync("acme", query["code"], CancellationToken.None);
        Assert.That(redemption.Outcome, Is.EqualTo(CodeRedemptionOutcome.Redeemed));
        var alice = await OAuthPagesHost.Smcp.Database.SuperuserScalarAsync<Guid>($"SELECT id FROM oauth_users WHERE tenant_id = 'acme' AND email = '{OAuthPagesHost.Email}'");
        Assert.That(redemption.Grant, Is.EqualTo(new AuthorizationGrant
        {
            ClientId = OAuthPagesHost.ClientId,
            UserId = alice,
            RedirectUri = OAuthPagesHost.RedirectUri,
            CodeChallenge = call.Challenge,
            Resource = OAuthPagesHost.Resource("acme"),
            Scope = "mcp",
            FamilyId = redemption.Grant!.FamilyId,
        }));
        Assert.That((await codes.RedeemAsync("beta", query["code"], CancellationToken.None)).Outcome, Is.EqualTo(CodeRedemptionOutcome.Unknown));
    }

    [Test]
    public async Task A_request_without_state_gets_a_code_without_state()
    {
        var call = new AuthorizeCall();
        var page = await _browser.GetAsync(call.Url(("state", null)));
        var form = OAuthBrowser.Form(await page.Content.ReadAsStringAsync());
        var consent = await _browser.PostAsync(form.Action, form.With(("username", OAuthPagesHost.Email), ("password", OAuthPagesHost.Password)));
        var consentForm = OAuthBrowser.Form(await consent.Content.ReadAsStringAsync());
        var query = OAuthBrowser.RedirectQuery(await _browser.PostAsync(consentForm.Action, consentForm.With(("approve", "1"))));
        Assert.That(query.Keys, Is.EquivalentTo(new[] { "code", "iss" }));
    }

    [Test]
    public async Task An_unknown_email_and_a_wrong_password_get_the_same_answer()
    {
        var call = new AuthorizeCall();
        var unknown = await call.SignInAsync(_browser, email: "nobody@example.com");
        var wrong = await call.SignInAsync(_browser, password: "not alice's password at all");
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(wrong.StatusCode, Is.EqualTo(unknown.StatusCode));
        var unknownPage = WithoutHiddenValues(await unknown.Content.ReadAsStringAsync());
        Assert.That(unknownPage, Does.Contain(AuthorizeEndpoint.WrongCredentials.Replace("'", "&#x27;", StringComparison.Ordinal)));
        Assert.That(WithoutHiddenValues(await wrong.Content.ReadAsStringAsync()), Is.EqualTo(unknownPage));
    }

    [Test]
    public async Task Repeated_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused_too()
    {
        const string email = "target@example.com";
        const string password = "the target's right password";
        await OAuthPagesHost.AddUserAsync("acme", email, password);
        var call = new AuthorizeCall();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            Assert.That((await call.SignInAsync(_browser, email, $"guess number {attempt} is wrong")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        }

        var locked = await call.SignInAsync(_browser, email, password);
        Assert.That(locked.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await locked.Content.ReadAsStringAsync(), Does.Not.Contain("name=\"approve\""));
        var lockedUntil = await OAuthPagesHost.Smcp.Database.SuperuserScalarAsync<DateTime>($"SELECT locked_until FROM oauth_users WHERE email = '{email}'");
        Assert.That(lockedUntil, Is.GreaterThan(DateTime.UtcNow.AddMinutes(10)));
    }

    [Test]
    public async Task A_right_password_clears_the_failure_count()
    {
        const string email = "forgetful@example.com";
        const string password = "forgetful's right password";
        await OAuthPagesHost.AddUserAsync("acme", email, password);
        var call = new AuthorizeCall();
        await call.SignInAsync(_browser, email, "a wrong one, but only one");
        Assert.That((await call.SignInAsync(_browser, email, password)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await OAuthPagesHost.Smcp.Database.SuperuserScalarAsync<int>($"SELECT failed_attempts FROM oauth_users WHERE email = '{email}'"), Is.Zero);
    }

    [Test]
    public async Task A_user_of_another_tenant_cannot_sign_in_here()
    {
        await OAuthPagesHost.AddUserAsync("beta", "only-beta@example.com", "only in the beta tenant");
        var response = await new AuthorizeCall().SignInAsync(_browser, "only-beta@example.com", "only in the beta tenant");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Too_many_sign_in_posts_from_one_address_are_429()
    {
        var burst = OAuthPagesHost.Smcp.Services.GetRequiredService<IOptions<OAuthPagesOptions>>().Value.SignInBurst;
        // Up to a few more than the burst: on a slow machine a token may come back (one per 6 s) meanwhile.
        HttpResponseMessage response;
        var attempts = 0;
        do
        {
            response = await _browser.PostAsync("/oauth/acme/authorize", [KeyValuePair.Create("username", "x")]);
            attempts++;
        }
        while (response.StatusCode != HttpStatusCode.TooManyRequests && attempts <= burst + 5);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(attempts, Is.GreaterThan(burst));
        Assert.That(response.Headers.RetryAfter, Is.Not.Null);
        using var other = new OAuthBrowser(OAuthPagesHost.Smcp.BaseAddress);
        Assert.That((await new AuthorizeCall().SignInAsync(other)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_sign_in_post_without_the_antiforgery_token_is_refused()
    {
        var page = await _browser.GetAsync(new AuthorizeCall().Url());
        var form = OAuthBrowser.Form(await page.Content.ReadAsStringAsync());
        var fields = form.With(("username", OAuthPagesHost.Email), ("password", OAuthPagesHost.Password)).Where(f => f.Key != "csrf");
        var response = await _browser.PostAsync(form.Action, fields);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("security token"));
    }

    [Test]
    public async Task A_forged_request_field_is_refused()
    {
        var page = await _browser.GetAsync(new AuthorizeCall().Url());
        var form = OAuthBrowser.Form(await page.Content.ReadAsStringAsync());
        var forged = form.Hidden.ToDictionary(f => f.Key, f => f.Key == "request" ? f.Value[..^4] + "AAAA" : f.Value);
        var response = await _browser.PostAsync(form.Action, new PageForm(form.Action, forged).With(("username", OAuthPagesHost.Email), ("password", OAuthPagesHost.Password)));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("expired or is not valid"));
    }

    [Test]
    public async Task An_expired_sign_in_page_is_refused()
    {
        var page = await _browser.GetAsync(new AuthorizeCall().Url());
        var form = OAuthBrowser.Form(await page.Content.ReadAsStringAsync());
        var stale = new PendingRequestProtector(OAuthPagesHost.Smcp.Services.GetRequiredService<IDataProtectionProvider>(), new ElevenMinutesAgo());
        var request = new AuthorizationRequest
        {
            ClientId = OAuthPagesHost.ClientId, RedirectUri = OAuthPagesHost.RedirectUri, CodeChallenge = new AuthorizeCall().Challenge,
            Resource = OAuthPagesHost.Resource("acme"), Scope = "mcp",
        };
        var fields = form.Hidden.ToDictionary(f => f.Key, f => f.Key == "request" ? stale.ProtectSignIn("acme", request) : f.Value);
        var response = await _browser.PostAsync(form.Action, new PageForm(form.Action, fields).With(("username", OAuthPagesHost.Email), ("password", OAuthPagesHost.Password)));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("expired or is not valid"));
    }

    [Test]
    public async Task A_form_over_16_KiB_is_413()
    {
        var page = await _browser.GetAsync(new AuthorizeCall().Url());
        var form = OAuthBrowser.Form(await page.Content.ReadAsStringAsync());
        var response = await _browser.PostAsync(form.Action, form.With(("username", new string('a', 17 * 1024)), ("password", "x")));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
    }

    [Test]
    public async Task A_hash_of_an_older_format_is_replaced_at_the_next_sign_in()
    {
        const string password = "heidi's password from long ago";
        var id = await OAuthPagesHost.AddUserAsync("acme", "heidi@example.com", password);
        var v2 = new PasswordHasher<OAuthUser>(Options.Create(new PasswordHasherOptions { CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV2 }))
            .HashPassword(new OAuthUser { TenantId = "acme", Email = "heidi@example.com" }, password);
        await OAuthPagesHost.Smcp.Database.SuperuserExecuteAsync($"UPDATE oauth_users SET password_hash = '{v2}' WHERE id = '{id}'");

        using var browser = new OAuthBrowser(OAuthPagesHost.Smcp.BaseAddress);
        Assert.That((await new AuthorizeCall().SignInAsync(browser, "heidi@example.com", password)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var rehashed = await OAuthPagesHost.Smcp.Database.SuperuserScalarAsync<string>($"SELECT password_hash FROM oauth_users WHERE id = '{id}'");
        Assert.That(Convert.FromBase64String(v2)[0], Is.Zero);
        Assert.That(Convert.FromBase64String(rehashed)[0], Is.EqualTo(0x01));
    }

    private static string WithoutHiddenValues(string html) => HiddenValue().Replace(html, "value=\"\"");

    [GeneratedRegex("value=\"[^\"]*\"")]
    private static partial Regex HiddenValue();

    private sealed class ElevenMinutesAgo : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow.AddMinutes(-11);
    }
}
