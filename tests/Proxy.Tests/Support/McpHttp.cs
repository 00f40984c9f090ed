using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Smcp.Proxy.Tests.Support;

/// <summary>One SSE event as a client sees it.</summary>
internal sealed record SseEvent(string? Id, string? Event, string Data, int? Retry)
{
    public JsonObject Json => JsonNode.Parse(Data)!.AsObject();
}

/// <summary>A raw HTTP client for one MCP URL: every header under the test's control.</summary>
internal sealed class McpHttp(Uri baseUri, string tenant, string server)
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = TimeSpan.FromMinutes(3) };

    public Uri Endpoint { get; } = new(baseUri, $"/t/{tenant}/{server}/mcp");

    public Uri At(string path) => new(baseUri, $"/t/{tenant}/{server}/{path}");

    public static HttpClient Shared => Client;

    public HttpRequestMessage Request(HttpMethod method, string? body = null, string? token = TestCredentials.AcmeUser, string? session = null,
        string? version = null, string accept = "application/json, text/event-stream")
    {
        var request = new HttpRequestMessage(method, Endpoint);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (session is not null)
        {
            request.Headers.Add("Mcp-Session-Id", session);
        }

        if (version is not null)
        {
            request.Headers.Add("MCP-Protocol-Version", version);
        }

        request.Headers.TryAddWithoutValidation("Accept", accept);
        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, bool streaming = false) =>
        Client.SendAsync(request, streaming ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead);

    public Task<HttpResponseMessage> PostAsync(string body, string? session, string? version = "2025-11-25", string? token = TestCredentials.AcmeUser, bool streaming = false) =>
        SendAsync(Request(HttpMethod.Post, body, token, session, version), streaming);

    /// <summary>Initializes a session (and sends notifications/initialized); returns its id.</summary>
    public async Task<string> InitializeAsync(string version = "2025-11-25", string token = TestCredentials.AcmeUser)
    {
        using var response = await SendAsync(Request(HttpMethod.Post, InitializeBody(version), token));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), text);
        var session = response.Headers.GetValues("Mcp-Session-Id").Single();
        using var initialized = await PostAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""", session, version, token);
        Assert.That(initialized.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Accepted));
        return session;
    }

    public static string InitializeBody(string version, int id = 1) =>
        $$$"""{"jsonrpc":"2.0","id":{{{id}}},"method":"initialize","params":{"protocolVersion":"{{{version}}}","capabilities":{"sampling":{},"elicitation":{}},"clientInfo":{"name":"proxy-tests","version":"1.0"}""" + "}}";

    public static string Call(object id, string tool, string arguments = "{}", string? progressToken = null) =>
        $$$"""{"jsonrpc":"2.0","id":{{{Id(id)}}},"method":"tools/call","params":{"name":"{{{tool}}}","arguments":{{{arguments}}}{{{Meta(progressToken)}}}""" + "}}";

    private static string Meta(string? progressToken) => progressToken is null ? "" : $$$""","_meta":{"progressToken":"{{{progressToken}}}"}""";

    public static string Id(object id) => id is string s ? $"\"{s}\"" : id.ToString()!;

    /// <summary>Reads SSE events until the stream ends or <paramref name="max"/> events came.</summary>
    public static async Task<List<SseEvent>> ReadEventsAsync(HttpResponseMessage response, int max = int.MaxValue, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        var events = new List<SseEvent>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));
        string? id = null, name = null;
        int? retry = null;
        var data = new StringBuilder();
        var any = false;
        while (events.Count < max && await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (any)
                {
                    events.Add(new SseEvent(id, name, data.ToString(), retry));
                }

                (id, name, retry, any) = (null, null, null, false);
                data.Clear();
                continue;
            }

            any = true;
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id": id = value; break;
                case "event": name = value; break;
                case "retry": retry = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "data": data.Append(data.Length > 0 ? "\n" : "").Append(value); break;
            }
        }

        return events;
    }
}
