using System.Net;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Faults;

/// <summary>The few MCP exchanges the fault tests make against acme's <c>notes</c> server.</summary>
internal static class FaultMcp
{
    public static async Task<string> InitializeAsync(HttpClient mcp)
    {
        var response = await SmcpServerFixture.PostMcpAsync(mcp, null, SmcpServerFixture.Initialize);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var session = response.Headers.GetValues("Mcp-Session-Id").Single();
        await SmcpServerFixture.PostMcpAsync(mcp, session, SmcpServerFixture.Initialized);
        return session;
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
