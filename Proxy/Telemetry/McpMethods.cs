namespace Smcp.Proxy.Telemetry;

/// <summary>The request methods MCP defines (2024-11-05 to 2026-07-28), the only method names a metric or a span carries.</summary>
/// <remarks>A method is the client's free text: any other name is counted as <see cref="Other"/>, so a client cannot grow the series.</remarks>
internal static class McpMethods
{
    public const string Other = "other";

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "initialize", "ping",
        "tools/list", "tools/call",
        "resources/list", "resources/templates/list", "resources/read", "resources/subscribe", "resources/unsubscribe",
        "prompts/list", "prompts/get",
        "completion/complete", "logging/setLevel",
        "tasks/get", "tasks/result", "tasks/list", "tasks/cancel",
        "server/discover", "subscriptions/listen",
    };

    /// <summary>The method itself when MCP defines it, else <see cref="Other"/>.</summary>
    public static string Bucket(string? method) => method is not null && Known.TryGetValue(method, out var known) ? known : Other;
}
