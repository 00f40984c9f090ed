using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smcp.Proxy.Ports;
using Smcp.Sandbox.Pool;

namespace Smcp.Proxy.Sessions;

/// <summary>The live sessions of this proxy, by their <c>Mcp-Session-Id</c>. Memory only: no store round trip per message.</summary>
internal sealed class SessionStore(WarmPool pool, IProxyRecorder recorder, IOptions<ProxyOptions> options, TimeProvider time, ILoggerFactory loggers)
    : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, McpSession> _sessions = new(StringComparer.Ordinal);
    private readonly SessionContext _context = new(options.Value, recorder, time, loggers.CreateLogger("Smcp.Proxy.Sessions"));

    public ICollection<McpSession> All => _sessions.Values;

    /// <summary>Takes a sandbox from the warm pool and opens a session on it.</summary>
    /// <exception cref="Sandbox.SandboxException">The tenant runs its limit of sandboxes, or none could be started.</exception>
    public async Task<McpSession> OpenAsync(
        SmcpPrincipal principal, string tenant, string server, McpServerTarget target, bool legacy, CancellationToken cancellationToken)
    {
        var sandbox = await pool.AcquireAsync(target.Spec, target.Pool, cancellationToken).ConfigureAwait(false);
        var session = new McpSession(NewId(), principal, tenant, server, target, legacy, sandbox, _context, ended => _sessions.TryRemove(ended.Id, out _));
        _sessions[session.Id] = session;
        Log.SessionOpened(_context.Logger, session.Id, tenant, server, principal.Id, sandbox.Id);
        try
        {
            await recorder.SessionOpenedAsync(tenant, server, session.Id, principal.Id, sandbox.Id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RecorderFailed(_context.Logger, ex, session.Id);
        }

        return session;
    }

    public McpSession? Find(string? id) => id is not null && _sessions.TryGetValue(id, out var session) && !session.IsEnded ? session : null;

    /// <summary>Ends every live session at once (shutdown); each ends its sandbox and writes its audit rows.</summary>
    public Task EndAllAsync() =>
        Task.WhenAll(_sessions.Values.Select(session => session.EndAsync("proxy shut down", "The MCP proxy is shutting down.")));

    public async ValueTask DisposeAsync() => await EndAllAsync().ConfigureAwait(false);

    /// <summary>256 random bits as base64url: visible ASCII only, as the spec requires of a session id.</summary>
    private static string NewId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
