using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smcp.Proxy.Guard;
using Smcp.Proxy.Logs;
using Smcp.Proxy.Ports;
using Smcp.Proxy.Telemetry;
using Smcp.Sandbox;
using Smcp.Sandbox.Pool;

namespace Smcp.Proxy.Sessions;

/// <summary>The live sessions of this proxy, by their <c>Mcp-Session-Id</c>. Memory only: no store round trip per message.</summary>
internal sealed class SessionStore : IAsyncDisposable
{
    private const string InactiveTenantMessage = "The tenant's access was suspended by the platform admin.";

    /// <summary>How long a new stateless sandbox's server has to answer server/discover, or else initialize.</summary>
    internal static readonly TimeSpan StatelessProbeTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, McpSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _statelessOpening = new(StringComparer.Ordinal);
    private readonly SessionContext _context;
    private readonly SandboxAdmission _admission;
    private readonly WarmPool _pool;
    private readonly IServerCatalog _catalog;
    private readonly ISessionDirectory _directory;

    public SessionStore(
        WarmPool pool, IServerCatalog catalog, IProxyRecorder recorder, ToolGuard guard, ServerLogBook logs, IOptions<ProxyOptions> options, TimeProvider time,
        ILoggerFactory loggers, ProxyMetrics metrics, ISessionDirectory directory)
    {
        _catalog = catalog;
        _directory = directory;
        _pool = pool;
        _context = new SessionContext(options.Value, recorder, guard, logs, time, loggers.CreateLogger("Smcp.Proxy.Sessions"), metrics);
        _admission = new SandboxAdmission(pool, _context);
        metrics.ObserveSessions(() => _sessions.Values.Where(s => !s.IsEnded).Select(s => s.Tenant));
    }

    public ICollection<McpSession> All => _sessions.Values;

    /// <summary>
    /// Gets a sandbox within the tenant's limit (reclaiming an idle session if need be) and opens a session on it;
    /// null when the tenant stopped being active while it opened (the session has been ended again).
    /// </summary>
    /// <exception cref="Sandbox.SandboxException">The tenant runs its limit of sandboxes and none is idle enough to reclaim, or none could be started.</exception>
    public async Task<McpSession?> OpenAsync(
        SmcpPrincipal principal, string tenant, string server, McpServerTarget target, bool legacy, CancellationToken cancellationToken)
    {
        var id = NewId();
        await ClaimAsync(tenant, id, target, cancellationToken).ConfigureAwait(false);
        RunningSandbox sandbox;
        try
        {
            // Enumerated afresh at each look (Values would be a snapshot): sessions registered meanwhile count.
            sandbox = await _admission.AcquireAsync(target, _sessions.Select(s => s.Value), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await _directory.ReleaseAsync(tenant, id, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return await RegisterAsync(new McpSession(id, principal, tenant, server, target, legacy, sandbox, _context, ended => _sessions.TryRemove(ended.Id, out _)))
            .ConfigureAwait(false);
    }

    private async Task<McpSession?> RegisterAsync(McpSession session)
    {
        var (tenant, server, principal, sandbox) = (session.Tenant, session.Server, session.Principal, session.Sandbox);
        _sessions[session.Id] = session;
        Log.SessionOpened(_context.Logger, session.Id, tenant, server, principal.Id, sandbox.Id);

        // Checked after the session is registered: a suspension that ended the tenant's sessions before then is seen here,
        // one after it finds this session among them.
        if (!_catalog.IsActive(tenant))
        {
            await EndOfInactiveTenantAsync(session).ConfigureAwait(false);
            return null;
        }

        try
        {
            await _context.Recorder.SessionOpenedAsync(tenant, server, session.Id, principal.Id, sandbox.Id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RecorderFailed(_context.Logger, ex, session.Id);
        }

        return session;
    }

    /// <summary>
    /// The session's row in the directory every replica shares, within the tenant's maxSessions over all of them. When
    /// they are full, one of the tenant's sessions here that has been idle long enough is reclaimed to make room.
    /// </summary>
    private async Task ClaimAsync(string tenant, string id, McpServerTarget target, CancellationToken cancellationToken)
    {
        if (await _directory.ClaimAsync(tenant, id, target.Pool.TenantLimit, cancellationToken).ConfigureAwait(false) == DirectoryClaim.Claimed
            || (await _admission.TryReclaimAsync(target, _sessions.Values).ConfigureAwait(false)
                && await _directory.ClaimAsync(tenant, id, target.Pool.TenantLimit, cancellationToken).ConfigureAwait(false) == DirectoryClaim.Claimed))
        {
            return;
        }

        throw new SandboxException(SandboxError.TenantLimitReached,
            $"Tenant '{tenant}' already runs its limit of {target.Pool.TenantLimit} sessions over all proxy replicas together, and none of those on this replica has been idle " +
            $"{target.ReclaimIdleAfter.TotalSeconds:0.###} seconds to be reclaimed.");
    }

    /// <summary>Keys stateless sessions and seals their requestState.</summary>
    public StatelessKeys Keys => _context.Keys;

    /// <summary>
    /// The sandbox that serves <paramref name="principal"/>'s 2026-07-28 requests to this server, opened (and probed for
    /// the revision its server speaks) on the first one; null when the tenant stopped being active, or the server answered neither
    /// <c>server/discover</c> nor <c>initialize</c> in time (the sandbox has been ended).
    /// </summary>
    /// <exception cref="Sandbox.SandboxException">As <see cref="OpenAsync"/>.</exception>
    public async Task<McpSession?> StatelessAsync(SmcpPrincipal principal, string tenant, string server, McpServerTarget target, CancellationToken cancellationToken)
    {
        var key = _context.Keys.CorrelationKey(principal.Id, tenant, server);
        if (Find(key) is { IsStateless: true } live)
        {
            return live;
        }

        // One opening per key: a credential's concurrent first requests share one sandbox.
        var opening = _statelessOpening.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Find(key) is { IsStateless: true } opened)
            {
                return opened;
            }

            var sandbox = await _admission.AcquireAsync(target, _sessions.Select(s => s.Value), cancellationToken).ConfigureAwait(false);
            StatelessServer? kind;
            try
            {
                kind = await StatelessServer.ProbeAsync(sandbox, StatelessProbeTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The client went away mid-probe: the sandbox belongs to no session yet, so it goes now.
                await sandbox.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            if (kind is null)
            {
                Log.StatelessProbeFailed(_context.Logger, tenant, server, sandbox.Id);
                await sandbox.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            return await RegisterAsync(new McpSession(key, principal, tenant, server, target, false, sandbox, _context, ended =>
            {
                _sessions.TryRemove(ended.Id, out _);
                _statelessOpening.TryRemove(new KeyValuePair<string, SemaphoreSlim>(key, opening));
            }, kind)).ConfigureAwait(false);
        }
        finally
        {
            opening.Release();
            if (Find(key) is null)
            {
                // Nothing was opened (a refusal, a failed probe): the gate is not kept for a key without a sandbox.
                _statelessOpening.TryRemove(new KeyValuePair<string, SemaphoreSlim>(key, opening));
            }
        }
    }

    public McpSession? Find(string? id) => id is not null && _sessions.TryGetValue(id, out var session) && !session.IsEnded ? session : null;

    /// <summary>The live session for a client's request: null when there is none, and after ending it when its tenant is no longer active.</summary>
    public async ValueTask<McpSession?> FindForRequestAsync(string? id)
    {
        if (Find(id) is not { } session)
        {
            return null;
        }

        if (_catalog.IsActive(session.Tenant))
        {
            return session;
        }

        await EndOfInactiveTenantAsync(session).ConfigureAwait(false);
        return null;
    }

    /// <summary>Ends every live session at once (shutdown); each ends its sandbox and writes its audit rows.</summary>
    public Task EndAllAsync() =>
        Task.WhenAll(_sessions.Values.Select(session => session.EndAsync("proxy shut down", "The MCP proxy is shutting down.")));

    public async ValueTask DisposeAsync() => await EndAllAsync().ConfigureAwait(false);

    /// <summary>Ends a session whose tenant is no longer active, and the warm sandboxes its opening may have started after the suspension drained them.</summary>
    private async Task EndOfInactiveTenantAsync(McpSession session)
    {
        Log.SessionOfInactiveTenant(_context.Logger, session.Id, session.Tenant);
        await session.EndAsync("tenant suspended", InactiveTenantMessage).ConfigureAwait(false);
        await _pool.DrainAsync(session.Tenant, server: null).ConfigureAwait(false);
    }

    /// <summary>256 random bits as base64url: visible ASCII only, as the spec requires of a session id.</summary>
    private static string NewId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
