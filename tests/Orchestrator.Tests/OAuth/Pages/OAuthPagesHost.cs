using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Smcp.Orchestrator.OAuth.Users;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.OAuth.Pages;

/// <summary>One smcp host for every test in this namespace (the pages and <c>smcp user add</c>): tenants acme and beta with clients and users, frozen suspended.</summary>
[SetUpFixture]
public sealed class OAuthPagesHost
{
    public const string ClientId = "notes-app";
    public const string RedirectUri = "http://127.0.0.1:7777/callback";
    public const string HostileClientId = "hostile";
    public const string HostileName = "<script>alert('x')</script><b onmouseover=\"x\">&amp;";
    public const string ServiceClientId = "service-only";
    public const string Email = "alice@example.com";
    public const string Password = "alice has a long password";

    internal static SmcpServerFixture Smcp { get; private set; } = null!;

    /// <summary>The public base URL, as the host sees itself (no trailing slash).</summary>
    public static string BaseUrl => Smcp.BaseAddress.ToString().TrimEnd('/');

    public static string Issuer(string tenant) => $"{BaseUrl}/oauth/{tenant}";

    public static string Resource(string tenant, string server = "notes") => $"{BaseUrl}/t/{tenant}/{server}/mcp";

    [OneTimeSetUp]
    public async Task Start()
    {
        Smcp = await SmcpServerFixture.StartAsync("oauthpages", """
            tenants:
              - id: acme
              - id: beta
              - id: frozen
                status: suspended
            """);
        foreach (var tenant in new[] { "acme", "beta" })
        {
            await Smcp.AddClientAsync(tenant, ClientId, "Notes app", [RedirectUri, "https://app.example.com/cb?x=1"], ["authorization_code", "refresh_token"]);
        }

        await Smcp.AddClientAsync("acme", HostileClientId, HostileName, [RedirectUri], ["authorization_code"]);
        await Smcp.AddClientAsync("acme", ServiceClientId, "Backup job", [RedirectUri], ["client_credentials"]);
        await AddUserAsync("acme", Email, Password);
        await AddUserAsync("beta", Email, Password);
    }

    [OneTimeTearDown]
    public async Task Stop() => await Smcp.DisposeAsync();

    internal static async Task<Guid> AddUserAsync(string tenant, string email, string password)
    {
        var created = await Smcp.Services.GetRequiredService<UserStore>().CreateAsync(tenant, email, password, CancellationToken.None);
        Assert.That(created.Value, Is.Not.Null, created.Outcome.ToString());
        return created.Value!.Id;
    }
}

/// <summary>An authorization request a client would make, and the steps a person takes through the pages.</summary>
/// <param name="BaseUrl">The host the request is for; <see cref="OAuthPagesHost"/>'s when null.</param>
internal sealed record AuthorizeCall(string Tenant = "acme", string? BaseUrl = null)
{
    public string Verifier { get; } = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public string Challenge => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(Verifier)));

    public string State { get; init; } = "st-" + Guid.NewGuid().ToString("N");

    /// <summary>The query; a null value leaves that parameter out, <paramref name="changes"/> override the defaults.</summary>
    public string Url(params (string Name, string? Value)[] changes)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = OAuthPagesHost.ClientId,
            ["redirect_uri"] = OAuthPagesHost.RedirectUri,
            ["code_challenge"] = Challenge,
            ["code_challenge_method"] = "S256",
            ["resource"] = $"{BaseUrl ?? OAuthPagesHost.BaseUrl}/t/{Tenant}/notes/mcp",
            ["scope"] = "mcp offline_access",
            ["state"] = State,
        };
        foreach (var (name, value) in changes)
        {
            parameters[name] = value;
        }

        return QueryHelpers.AddQueryString($"/oauth/{Tenant}/authorize", parameters.Where(p => p.Value is not null));
    }

    /// <summary>Opens the sign-in page and posts the credentials; the response is the consent page or the refusal.</summary>
    public async Task<HttpResponseMessage> SignInAsync(OAuthBrowser browser, string email = OAuthPagesHost.Email, string password = OAuthPagesHost.Password)
    {
        var page = await browser.GetAsync(Url());
        var html = await page.Content.ReadAsStringAsync();
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), html);
        var form = OAuthBrowser.Form(html);
        return await browser.PostAsync(form.Action, form.With(("username", email), ("password", password)));
    }

    /// <summary>Signs in and returns the consent form.</summary>
    public async Task<PageForm> ConsentFormAsync(OAuthBrowser browser)
    {
        var consent = await SignInAsync(browser);
        var html = await consent.Content.ReadAsStringAsync();
        Assert.That(consent.StatusCode, Is.EqualTo(HttpStatusCode.OK), html);
        return OAuthBrowser.Form(html);
    }
}
