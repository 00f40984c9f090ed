using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Options;
using Smcp.Proxy.Sessions;

namespace Smcp.Proxy.Logs;

/// <summary>
/// The stderr of each tenant's sessions: a live session's is read from its sandbox's ring at each request; an ended session's
/// final snapshot is kept, rendered (<see cref="ServerLogText"/>), within two bounds: <see cref="ProxyOptions.EndedSessionLogsPerServer"/>
/// per server and <see cref="ProxyOptions.TenantEndedLogBytes"/> per tenant, oldest out first. Memory only: a restart forgets them.
/// </summary>
internal sealed class ServerLogBook(IOptions<ProxyOptions> options, TimeProvider time) : IServerLogs
{
    private readonly ConcurrentDictionary<string, TenantLogs> _tenants = new(StringComparer.Ordinal);
    private readonly ProxyOptions _options = options.Value;

    /// <summary>A session has opened: its log is read live until <see cref="Ended"/>.</summary>
    public void Opened(McpSession session)
    {
        var logs = Of(session.Tenant);
        lock (logs.Gate)
        {
            logs.Live[session.Id] = session;
        }
    }

    /// <summary>A session has ended and its sandbox is gone: its stderr is final, and kept rendered in place of the live one.</summary>
    public void Ended(McpSession session)
    {
        var log = Snapshot(session, time.GetUtcNow());
        var kept = new EndedLog(session.Server, log, Encoding.UTF8.GetByteCount(log.Text) + session.Id.Length);
        var logs = Of(session.Tenant);
        lock (logs.Gate)
        {
            logs.Live.Remove(session.Id);
            logs.Ended.AddLast(kept);
            logs.Bytes += kept.Bytes;
            if (logs.Ended.Count(e => e.Server == kept.Server) > _options.EndedSessionLogsPerServer)
            {
                Remove(logs, logs.Ended.First(e => e.Server == kept.Server));
            }

            while (logs.Bytes > _options.TenantEndedLogBytes && logs.Ended.First is { } oldest)
            {
                Remove(logs, oldest.Value);
            }
        }
    }

    public IReadOnlyList<ServerLogSession> Read(string tenant, string server, string? session)
    {
        if (!_tenants.TryGetValue(tenant, out var logs))
        {
            return [];
        }

        List<McpSession> live;
        List<ServerLogSession> ended;
        lock (logs.Gate)
        {
            live = [.. logs.Live.Values.Where(s => s.Server == server && (session is null || s.Id == session))];
            ended = [.. logs.Ended.Where(e => e.Server == server && (session is null || e.Log.Session == session)).Select(e => e.Log)];
        }

        var newestFirst = live.Select(s => Snapshot(s, null)).Concat(ended).OrderByDescending(l => l.StartedAt).ToList();
        var answer = new List<ServerLogSession>();
        long bytes = 0;
        foreach (var log in newestFirst)
        {
            bytes += Encoding.UTF8.GetByteCount(log.Text);
            if (answer.Count > 0 && bytes > _options.LogResponseBytes)
            {
                break;
            }

            answer.Add(log);
        }

        return answer;
    }

    private static ServerLogSession Snapshot(McpSession session, DateTimeOffset? endedAt)
    {
        var stderr = session.Sandbox.Stderr();
        return new ServerLogSession(
            session.Id, session.StartedAt, endedAt, stderr.TotalBytes, stderr.DroppedBytes, ServerLogText.Render(stderr.Bytes.Span, session.Target.SecretValues));
    }

    private static void Remove(TenantLogs logs, EndedLog log)
    {
        logs.Ended.Remove(log);
        logs.Bytes -= log.Bytes;
    }

    private TenantLogs Of(string tenant) => _tenants.GetOrAdd(tenant, _ => new TenantLogs());

    private sealed record EndedLog(string Server, ServerLogSession Log, long Bytes);

    private sealed class TenantLogs
    {
        public Lock Gate { get; } = new();

        public Dictionary<string, McpSession> Live { get; } = new(StringComparer.Ordinal);

        /// <summary>Ended sessions of every server of the tenant, in the order they ended.</summary>
        public LinkedList<EndedLog> Ended { get; } = new();

        public long Bytes { get; set; }
    }
}
