using System.Net;
using System.Text.Json.Nodes;
using System.Net.Http.Json;

namespace Smcp.Orchestrator.Tests.Support;

/// <summary>The MCP exchanges and keys the host-level tests make against a running <c>smcp serve</c> (acme's <c>notes</c> server unless told).</summary>
internal static class HostMcp
{
    /// <summary>Opens a session (initialize, then initialized) and returns its id.</summary>
    public static async Task<string> InitializeAsync(HttpClient mcp, string path = "/t/acme/notes/mcp")
    {
        var response = await SmcpServerFixture.PostMcpAsync(mcp, null, SmcpServerFixture.Initialize, path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var session = response.Headers.GetValues("Mcp-Session-Id").Single();
        await SmcpServerFixture.PostMcpAsync(mcp, session, SmcpServerFixture.Initialized, path);
        return session;
    }

    /// <summary>A new API key of <paramref name="role"/> in <paramref name="tenant"/>, made with the platform admin's client.</summary>
    public static async Task<string> CreateKeyAsync(HttpClient admin, string tenant, string role)
    {
        var response = await admin.PostAsJsonAsync($"/v1/tenants/{tenant}/keys", new { name = role + "-" + Guid.NewGuid().ToString("N")[..6], role });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
    }

    public static string ToolCall(int id, string tool, string message = "m") => new JsonObject
    {
        ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = "tools/call",
        ["params"] = new JsonObject { ["name"] = tool, ["arguments"] = new JsonObject { ["message"] = message } },
    }.ToJsonString();

    /// <summary>The JSON-RPC message of a POST's answer, sent as JSON or as the last event of an SSE stream.</summary>
    public static JsonObject Message(string body)
    {
        var data = body.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l["data:".Length..].Trim()).LastOrDefault(l => l.Length > 0);
        return JsonNode.Parse(data ?? body)!.AsObject();
    }
}
