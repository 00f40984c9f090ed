using System.Collections.Concurrent;
using Smcp.Proxy.Ports;
using Smcp.Sandbox;
using Smcp.Sandbox.Pool;

namespace Smcp.Proxy.Sessions;

/// <summary>
/// Gets a new session its sandbox within the tenant's limit (maxSessions, warm sandboxes included).
/// At the limit, room is made in this order: a warm sandbox of another of the tenant's servers is
/// stopped, else the tenant's least recently active session idle at least <see cref="McpServerTarget.ReclaimIdleAfter"/>
/// is ended (its client's next request gets 404 and it re-initializes). Only when every session is
/// busy or younger than that is the initialize refused.
/// </summary>
internal sealed class SandboxAdmission(WarmPool pool, SessionContext context)
{
    private const string ReclaimedMessage = "The session was reclaimed for a new one after it had been idle; initialize a new session.";

    // Bounded by the tenants in the configuration: only a tenant whose server was found gets here.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _makingRoom = new(StringComparer.Ordinal);

    /// <exception cref="SandboxException">No room could be made (<see cref="SandboxError.TenantLimitReached"/>), or the start failed.</exception>
    public async Task<RunningSandbox> AcquireAsync(McpServerTarget target, IEnumerable<McpSession> live, CancellationToken cancellationToken)
    {
        try
        {
            return await pool.AcquireAsync(target.Spec, target.Pool, cancellationToken).ConfigureAwait(false);
        }
        catch (SandboxException ex) when (ex.Error == SandboxError.TenantLimitReached)
        {
            // At the limit: make room below, one initialize of the tenant at a time.
        }

        // Two initializes at once must not both count one reclaimed session as their room.
        var tenant = target.Spec.Tenant;
        var gate = _makingRoom.GetOrAdd(tenant, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                try
                {
                    return await pool.AcquireAsync(target.Spec, target.Pool, cancellationToken).ConfigureAwait(false);
                }
                catch (SandboxException ex) when (ex.Error == SandboxError.TenantLimitReached)
                {
                    if (await pool.DropOneAsync(tenant).ConfigureAwait(false))
                    {
                        Log.WarmSandboxDropped(context.Logger, tenant);
                        continue;
                    }

                    if (LeastRecentlyActive(live, tenant, target.ReclaimIdleAfter) is not { } idle)
                    {
                        throw new SandboxException(SandboxError.TenantLimitReached,
                            $"Tenant '{tenant}' already runs its limit of {target.Pool.TenantLimit} sandboxes, and none of its sessions " +
                            $"has been idle for {target.ReclaimIdleAfter.TotalSeconds:0.###} seconds to be reclaimed.", ex);
                    }

                    await ReclaimAsync(idle).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The tenant's session with no request in flight that has gone longest without client traffic, if that is at least <paramref name="minIdle"/>.</summary>
    private static McpSession? LeastRecentlyActive(IEnumerable<McpSession> live, string tenant, TimeSpan minIdle) =>
        live.Where(s => s.Tenant == tenant && !s.IsEnded && s.InFlight == 0)
            .Select(s => (Session: s, Idle: s.IdleFor))
            .Where(s => s.Idle >= minIdle)
            .OrderByDescending(s => s.Idle)
            .Select(s => s.Session)
            .FirstOrDefault();

    private async Task ReclaimAsync(McpSession session)
    {
        Log.SessionReclaimed(context.Logger, session.Id, session.Tenant, session.IdleFor);
        try
        {
            await context.Recorder.AuditAsync(
                new McpAuditEvent(session.Tenant, session.Principal.Id, session.Id, "session", session.Server, "reclaimed", 0, 0, 0),
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RecorderFailed(context.Logger, ex, session.Id);
        }

        // Returns once its sandbox is removed, so the tenant's slot is free again.
        await session.EndAsync("reclaimed", ReclaimedMessage, "reclaimed").ConfigureAwait(false);
    }
}
