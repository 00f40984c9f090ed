using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Proxy.Tests.Stateless;

/// <summary>Raw 2026-07-28 requests: _meta envelope and headers under the test's control.</summary>
internal static class StatelessClient
{
    public const string Version = "2026-07-28";

    public static string Meta(string version = Version, string capabilities = "{}") =>
        "{\"io.modelcontextprotocol/protocolVersion\":\"" + version + "\",\"io.modelcontextprotocol/clientCapabilities\":" + capabilities
        + ",\"io.modelcontextprotocol/clientInfo\":{\"name\":\"smcp-tests\",\"version\":\"1\"}}";

    public static string Body(object id, string method, string parameters = "", string? meta = null) =>
        "{\"jsonrpc\":\"2.0\",\"id\":" + McpHttp.Id(id) + ",\"method\":\"" + method + "\",\"params\":{" + parameters + (parameters.Length > 0 ? "," : "")
        + "\"_meta\":" + (meta ?? Meta()) + "}}";

    public static string Call(object id, string tool, string arguments = "{}", string extra = "", string capabilities = "{}") =>
        Body(id, "tools/call", "\"name\":\"" + tool + "\",\"arguments\":" + arguments + extra, Meta(capabilities: capabilities));

    /// <summary>A POST with the headers a 2026-07-28 client sends; each can be left out or changed.</summary>
    public static HttpRequestMessage Post(McpHttp http, string body, string? method, string? name = null, string? version = Version,
        string token = TestCredentials.AcmeUser)
    {
        var request = http.Request(HttpMethod.Post, body, token, version: version);
        if (method is not null)
        {
            request.Headers.TryAddWithoutValidation("Mcp-Method", method);
        }

        if (name is not null)
        {
            request.Headers.TryAddWithoutValidation("Mcp-Name", name);
        }

        return request;
    }

    public static async Task<(HttpStatusCode Status, JsonObject Body, HttpResponseMessage Response)> SendAsync(McpHttp http, HttpRequestMessage request)
    {
        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            var last = text.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..].Trim())
                .Select(d => JsonNode.Parse(d)!.AsObject()).Last(o => o.ContainsKey("result") || o.ContainsKey("error"));
            return (response.StatusCode, last, response);
        }

        Assert.That(text, Is.Not.Empty, $"{(int)response.StatusCode} without a body");
        return (response.StatusCode, JsonNode.Parse(text)!.AsObject(), response);
    }

    public static string Base64Name(string name) => "=?base64?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(name)) + "?=";

    public static MediaTypeWithQualityHeaderValue Json { get; } = new("application/json");
}
