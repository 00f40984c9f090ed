using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Smcp.Orchestrator.OAuth.Users;
using Smcp.Orchestrator.Tests.OAuth.External;
using Smcp.Orchestrator.Tests.OAuth.Pages;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.OAuth.Upstream;

/// <summary>
/// One oidc-provider (the tenants' upstream provider) and one smcp host for the upstream sign-in tests: acme signs in with
/// passwords or the provider (a confidential client, its secret in a file), beta with the provider only (secret in a
/// variable), gamma with passwords only.
/// </summary>
[SetUpFixture]
public sealed class UpstreamHost
{
    public const string ClientId = "notes-app";
    public const string RedirectUri = "http://127.0.0.1:7777/callback";
    public const string SecretVariable = "SMCP_TEST_UPSTREAM_BETA_SECRET";

    private string? _secretFile;

    internal static ExternalIdp Provider { get; private set; } = null!;

    internal static SmcpServerFixture Smcp { get; private set; } = null!;

    public static string BaseUrl => Smcp.BaseAddress.ToString().TrimEnd('/');

    [OneTimeSetUp]
    public async Task Start()
    {
        Provider = await ExternalIdp.StartAsync();
        _secretFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(_secretFile, "smcp-acme-secret\n");
        Environment.SetEnvironmentVariable(SecretVariable, "smcp-beta-secret");
        Smcp = await SmcpServerFixture.StartAsync("upstream", $"""
            tenants:
              - id: acme
                signIn:
                  upstream:
                    issuer: {Provider.Issuer}
                    clientId: smcp-acme
                    clientSecretFile: {_secretFile}
                    displayName: Example SSO
                    allowHttp: true
              - id: beta
                signIn:
                  passwords: false
                  upstream:
                    issuer: {Provider.Issuer}
                    clientId: smcp-beta
                    clientSecretEnv: {SecretVariable}
                    allowHttp: true
              - id: gamma
            """);
        foreach (var tenant in new[] { "acme", "beta", "gamma" })
        {
            await Smcp.AddClientAsync(tenant, ClientId, "Notes app", [RedirectUri], ["authorization_code", "refresh_token"]);
        }

        var users = Smcp.Services.GetRequiredService<UserStore>();
        foreach (var (tenant, email) in new[] { ("acme", "alice@example.com"), ("acme", "carol@example.com"), ("acme", "dave@example.com"), ("beta", "alice@example.com"), ("gamma", "alice@example.com") })
        {
            var created = await users.CreateAsync(tenant, email, "a long enough password", CancellationToken.None);
            Assert.That(created.Value, Is.Not.Null, created.Outcome.ToString());
        }

        await Smcp.Database.SuperuserExecuteAsync("UPDATE oauth_users SET disabled_at = now() WHERE email = 'carol@example.com'");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await Smcp.DisposeAsync();
        await Provider.DisposeAsync();
        File.Delete(_secretFile!);
    }
}

/// <summary>A person at a browser going through the sign-in page, the provider's page, and back.</summary>
internal sealed class UpstreamFlow(string tenant = "acme") : IDisposable
{
    public OAuthBrowser Browser { get; } = new(UpstreamHost.Smcp.BaseAddress);

    public AuthorizeCall Call { get; } = new(tenant, UpstreamHost.BaseUrl);

    public string Tenant => tenant;

    /// <summary>The sign-in page's forms.</summary>
    public async Task<IReadOnlyList<PageForm>> SignInFormsAsync()
    {
        using var page = await Browser.GetAsync(Call.Url());
        var html = await page.Content.ReadAsStringAsync();
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), html);
        return OAuthBrowser.Forms(html);
    }

    /// <summary>Clicks "sign in with", signs in at the provider as <paramref name="login"/> (or cancels there), and returns the callback URL the provider sends the browser to, not yet opened.</summary>
    public async Task<string> CallbackUrlAsync(string login, bool cancel = false)
    {
        var upstream = (await SignInFormsAsync()).Single(f => f.Action.EndsWith("/upstream", StringComparison.Ordinal));
        var response = await Browser.PostAsync(upstream.Action, upstream.With(("upstream", "1")));
        var location = await FollowAsync(response, next => next.Authority == new Uri(UpstreamHost.Provider.Issuer).Authority && next.AbsolutePath.StartsWith("/interaction/", StringComparison.Ordinal));
        using var page = await Browser.GetAsync(location);
        var html = await page.Content.ReadAsStringAsync();
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the provider's sign-in page: " + html);
        var form = OAuthBrowser.Form(html);
        var action = new Uri(new Uri(location), form.Action).ToString();
        var signedIn = await Browser.PostAsync(action, cancel ? form.With(("deny", "1")) : form.With(("login", login), ("signin", "1")));
        return await FollowAsync(signedIn, next => next.AbsolutePath.EndsWith("/upstream/callback", StringComparison.Ordinal));
    }

    /// <summary>Opens the callback: the consent page, or a refusal.</summary>
    public Task<HttpResponseMessage> CallbackAsync(string url) => Browser.GetAsync(url);

    /// <summary>The code SMCP's consent form returns to the client, after <paramref name="login"/> signed in upstream.</summary>
    public async Task<string> CodeAsync(string login)
    {
        using var consent = await CallbackAsync(await CallbackUrlAsync(login));
        var html = await consent.Content.ReadAsStringAsync();
        Assert.That(consent.StatusCode, Is.EqualTo(HttpStatusCode.OK), html);
        using var done = await Browser.PostAsync(OAuthBrowser.Form(html).Action, OAuthBrowser.Form(html).With(("approve", "1")));
        var query = OAuthBrowser.RedirectQuery(done);
        Assert.That(query["state"], Is.EqualTo(Call.State));
        Assert.That(query["iss"], Is.EqualTo($"{UpstreamHost.BaseUrl}/oauth/{tenant}"));
        return query["code"];
    }

    public void Dispose() => Browser.Dispose();

    /// <summary>Follows the redirects from <paramref name="response"/> up to the first Location that <paramref name="stop"/> picks, and returns it unopened.</summary>
    private async Task<string> FollowAsync(HttpResponseMessage response, Func<Uri, bool> stop)
    {
        var current = response.RequestMessage!.RequestUri!;
        for (var hops = 0; hops < 10; hops++)
        {
            if ((int)response.StatusCode is < 300 or >= 400)
            {
                Assert.Fail($"{current} answered {(int)response.StatusCode} where a redirect was expected: " + await response.Content.ReadAsStringAsync());
            }

            var next = new Uri(current, response.Headers.Location!);
            response.Dispose();
            if (stop(next))
            {
                return next.ToString();
            }

            current = next;
            response = await Browser.GetAsync(next.ToString());
        }

        Assert.Fail("more than 10 redirects");
        return "";
    }

    /// <summary>A query parameter of a URL.</summary>
    public static string Parameter(string url, string name) => QueryHelpers.ParseQuery(new Uri(url).Query)[name].ToString();
}
