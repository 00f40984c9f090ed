using System.Collections.Concurrent;
using Smcp.Proxy.Ports;
using Smcp.Sandbox;
using Smcp.Sandbox.Pool;

namespace Smcp.Proxy.Sessions;

/// <summary>
/// Gets a new session its sandbox within the tenant's limit (maxSessions, warm sandboxes included).
/// At the limit, room is made in this order: a warm sandbox of another of the tenant's servers is
/// stopped, else the tenant's least recently active session idle at least <see cref="McpServerTarget.ReclaimIdleAfter"/>
/// is ended (its client's next request gets 404 and it re-initializes). When the least recently active
/// one is not idle that long yet, the initialize waits for it (at most <see cref="ProxyOptions.ReclaimWait"/>
/// from its arrival); it is refused only when every session is busy or none comes of age in that time.
/// </summary>
internal sealed class SandboxAdmission(WarmPool pool, SessionContext context)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

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

        // Two initializes at once must not both count one reclaimed session as their room; waiting for the gate is
        // also how initializes queue, first come first served, for sessions still coming of age.
        var tenant = target.Spec.Tenant;
        var arrived = context.Time.GetTimestamp();
        var gate = _makingRoom.GetOrAdd(tenant, _ => new SemaphoreSlim(1, 1));
        if (!await gate.WaitAsync(context.Options.ReclaimWait, cancellationToken).ConfigureAwait(false))
        {
            throw LimitReached(target, "initializes before this one are still waiting for a session to reclaim");
        }

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

                    var idle = LeastRecentlyActive(live, tenant);
                    var ripe = idle is null ? PollInterval : target.ReclaimIdleAfter - idle.IdleFor;
                    if (idle is not null && ripe <= TimeSpan.Zero)
                    {
                        await ReclaimAsync(idle).ConfigureAwait(false);
                        continue;
                    }

                    if (context.Time.GetElapsedTime(arrived) + ripe > context.Options.ReclaimWait)
                    {
                        throw LimitReached(target, idle is null
                            ? "every one of its sessions has a request in flight"
                            : $"none of its sessions will have been idle {target.ReclaimIdleAfter.TotalSeconds:0.###} seconds " +
                              $"to be reclaimed within the {context.Options.ReclaimWait.TotalSeconds:0.###} seconds an initialize may wait", ex);
                    }

                    // The least recently active session comes of age soonest; look again then (it may have been used meanwhile).
                    // With none to wait for (all busy, or a session still registering), look again shortly.
                    await Task.Delay(ripe, context.Time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Ends the tenant's least recently active session here if it has been idle at least <see cref="McpServerTarget.ReclaimIdleAfter"/>; false when none has.</summary>
    public async Task<bool> TryReclaimAsync(McpServerTarget target, IEnumerable<McpSession> live)
    {
        if (LeastRecentlyActive(live, target.Spec.Tenant) is not { } idle || idle.IdleFor < target.ReclaimIdleAfter)
        {
            return false;
        }

        await ReclaimAsync(idle).ConfigureAwait(false);
        return true;
    }

    private static SandboxException LimitReached(McpServerTarget target, string why, Exception? inner = null) =>
        new(SandboxError.TenantLimitReached,
            $"Tenant '{target.Spec.Tenant}' already runs its limit of {target.Pool.TenantLimit} sandboxes, and {why}.", inner);

    /// <summary>The tenant's session with no request in flight that has gone longest without client traffic.</summary>
    private static McpSession? LeastRecentlyActive(IEnumerable<McpSession> live, string tenant) =>
        live.Where(s => s.Tenant == tenant && !s.IsEnded && s.InFlight == 0).MaxBy(s => s.IdleFor);

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
