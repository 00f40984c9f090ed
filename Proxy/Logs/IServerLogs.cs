namespace Smcp.Proxy.Logs;

/// <summary>The stderr of a server's sandboxes: its live sessions and the most recently ended ones this proxy keeps.</summary>
public interface IServerLogs
{
    /// <summary>
    /// The server's sessions newest first, at most <see cref="ProxyOptions.LogResponseBytes"/> of text (and always the newest);
    /// with <paramref name="session"/> only that one, empty when this proxy knows no such session of the server.
    /// </summary>
    IReadOnlyList<ServerLogSession> Read(string tenant, string server, string? session);
}
