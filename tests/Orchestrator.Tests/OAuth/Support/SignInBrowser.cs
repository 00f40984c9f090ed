using System.Net;
using System.Text.RegularExpressions;

namespace Smcp.Orchestrator.Tests.OAuth.Support;

/// <summary>
/// The person at the browser: opens an authorization URL, posts the sign-in form (<c>username</c>, <c>password</c>)
/// and the consent form (<c>approve</c> or <c>deny</c>), keeping cookies as a browser does; knows only the form contract.
/// </summary>
internal sealed partial class SignInBrowser : IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false });

    /// <summary>Signs in and decides; the redirect SMCP answers the consent form with.</summary>
    public async Task<Uri> AuthorizeAsync(Uri authorizationUri, string username, string password, string decision = "approve", CancellationToken cancellationToken = default)
    {
        using var signIn = await _http.GetAsync(authorizationUri, cancellationToken);
        var signInHtml = await signIn.Content.ReadAsStringAsync(cancellationToken);
        Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK), signInHtml);
        using var consent = await SubmitAsync(authorizationUri, signInHtml, new() { ["username"] = username, ["password"] = password }, cancellationToken);
        var consentHtml = await consent.Content.ReadAsStringAsync(cancellationToken);
        Assert.That(consent.StatusCode, Is.EqualTo(HttpStatusCode.OK), consentHtml);
        using var done = await SubmitAsync(authorizationUri, consentHtml, new() { [decision] = "1" }, cancellationToken);
        Assert.That(done.StatusCode, Is.EqualTo(HttpStatusCode.Found), await done.Content.ReadAsStringAsync(cancellationToken));
        return new Uri(authorizationUri, done.Headers.Location!);
    }

    private Task<HttpResponseMessage> SubmitAsync(Uri page, string html, Dictionary<string, string> fields, CancellationToken cancellationToken)
    {
        var form = FormTag().Match(html);
        Assert.That(form.Success, Is.True, "no form on the page: " + html);
        var values = HiddenInputs(html);
        foreach (var (name, value) in fields)
        {
            values[name] = value;
        }

        var action = Attribute(form.Value, "action") ?? page.ToString();
        return _http.PostAsync(new Uri(page, action), new FormUrlEncodedContent(values), cancellationToken);
    }

    private static Dictionary<string, string> HiddenInputs(string html) =>
        InputTag().Matches(html)
            .Where(m => Attribute(m.Value, "type") == "hidden" && Attribute(m.Value, "name") is not null)
            .ToDictionary(m => Attribute(m.Value, "name")!, m => Attribute(m.Value, "value") ?? "");

    private static string? Attribute(string tag, string name) =>
        AttributePattern().Matches(tag).FirstOrDefault(m => m.Groups["name"].Value.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } found
            ? WebUtility.HtmlDecode(found.Groups["value"].Value)
            : null;

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("<form\\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex FormTag();

    [GeneratedRegex("<input\\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputTag();

    [GeneratedRegex("(?<name>[\\w-]+)\\s*=\\s*\"(?<value>[^\"]*)\"")]
    private static partial Regex AttributePattern();
}
