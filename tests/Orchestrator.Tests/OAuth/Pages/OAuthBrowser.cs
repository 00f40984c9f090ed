using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace Smcp.Orchestrator.Tests.OAuth.Pages;

/// <summary>A browser for the sign-in pages: its own cookies, no automatic redirects, and its own loopback source address.</summary>
/// <remarks>Each browser connects from another 127.0.x.y, so the per-address sign-in rate limit of one test never spends another's budget.</remarks>
internal sealed partial class OAuthBrowser : IDisposable
{
    private static int _addresses;
    private readonly HttpClient _client;

    public OAuthBrowser(Uri baseAddress)
    {
        var n = Interlocked.Increment(ref _addresses);
        Address = new IPAddress([127, 0, (byte)(1 + n / 250), (byte)(2 + n % 250)]);
        var local = Address;
        var handler = new SocketsHttpHandler
        {
            CookieContainer = Cookies,
            AllowAutoRedirect = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _client = new HttpClient(handler) { BaseAddress = baseAddress };
    }

    public IPAddress Address { get; }

    public CookieContainer Cookies { get; } = new();

    public Task<HttpResponseMessage> GetAsync(string pathAndQuery) => _client.GetAsync(pathAndQuery);

    public Task<HttpResponseMessage> PostAsync(string path, IEnumerable<KeyValuePair<string, string>> fields) =>
        _client.PostAsync(path, new FormUrlEncodedContent(fields));

    public Task<HttpResponseMessage> PostAsync(string path, HttpContent content) => _client.PostAsync(path, content);

    /// <summary>The page's one form: its action and its hidden inputs.</summary>
    public static PageForm Form(string html)
    {
        var forms = Forms(html);
        Assert.That(forms, Has.Count.EqualTo(1), html);
        return forms[0];
    }

    /// <summary>Every form of the page, in order, each with the hidden inputs inside it.</summary>
    public static IReadOnlyList<PageForm> Forms(string html) =>
        [.. FormBlock().Matches(html).Select(form => new PageForm(
            WebUtility.HtmlDecode(form.Groups[1].Value),
            HiddenInput().Matches(form.Groups[2].Value).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value))))];

    /// <summary>The query parameters of a redirect's Location.</summary>
    public static Dictionary<string, string> RedirectQuery(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var location = response.Headers.Location!;
        return QueryHelpers.ParseQuery(location.Query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    public void Dispose() => _client.Dispose();

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]*)\">(.*?)</form>", RegexOptions.Singleline)]
    private static partial Regex FormBlock();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">")]
    private static partial Regex HiddenInput();
}

/// <summary>A form as a page shows it; <see cref="With"/> adds the fields a person fills in.</summary>
internal sealed record PageForm(string Action, IReadOnlyDictionary<string, string> Hidden)
{
    public IEnumerable<KeyValuePair<string, string>> With(params (string Name, string Value)[] fields) =>
        Hidden.Concat(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)));
}
