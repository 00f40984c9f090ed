namespace Smcp.Proxy.Sessions;

/// <summary>What bytes are kept for: an answer a client waits for, or a notification or server request.</summary>
internal enum ReplayUse
{
    /// <summary>An answer, or a pending request's reservation for one: may use the whole budget.</summary>
    Answer,

    /// <summary>A notification or server request: only while a quarter of the budget stays free, so answers always find room.</summary>
    Notice,
}

/// <summary>How a take went.</summary>
internal enum ReplayTake
{
    Taken,

    /// <summary>The session's or its tenant's budget is full: the session may trim its own streams and try again.</summary>
    Full,

    /// <summary>The proxy's ceiling is full: new bytes are refused, and nobody trims anything to make room for a notification.</summary>
    CeilingFull,
}

/// <summary>
/// Bytes a session keeps (pending requests and SSE replay) against a hard limit, inside its tenant's
/// (<see cref="ProxyOptions.TenantReplayBudgetBytes"/>), inside the proxy's (<see cref="ProxyOptions.ReplayBudgetBytes"/>).
/// </summary>
/// <remarks>
/// A take succeeds only when every level has room, so no level is ever exceeded; a budget never makes anyone
/// else give bytes back. Only the session that asks trims its own streams to make room (see <see cref="EventStream"/>),
/// so one tenant's sessions can fill their tenant's budget but never trim another tenant's events.
/// </remarks>
/// <param name="isCeiling">The proxy's budget: when it is full, no session trims its events for a notification (that would let one tenant's flood push out another's).</param>
internal sealed class ReplayBudget(long limit, ReplayBudget? parent = null, bool isCeiling = false)
{
    private readonly Lock _gate = new();
    private ReplayBudget? _parent = parent;
    private long _used;

    public long Used
    {
        get
        {
            lock (_gate)
            {
                return _used;
            }
        }
    }

    /// <summary>Takes <paramref name="bytes"/> if this budget and every one above it stay within their limit for <paramref name="use"/>.</summary>
    public ReplayTake TryTake(long bytes, ReplayUse use)
    {
        lock (_gate)
        {
            var allowed = use == ReplayUse.Answer ? limit : limit - (limit / 4);
            if (_used + bytes > allowed)
            {
                return isCeiling ? ReplayTake.CeilingFull : ReplayTake.Full;
            }

            if (_parent?.TryTake(bytes, use) is { } above and not ReplayTake.Taken)
            {
                return above;
            }

            _used += bytes;
            return ReplayTake.Taken;
        }
    }

    /// <summary>Takes bytes whatever the limit: only for the proxy's own error answers, which replace a larger reservation.</summary>
    public void Take(long bytes)
    {
        lock (_gate)
        {
            _used += bytes;
            _parent?.Take(bytes);
        }
    }

    public void Give(long bytes)
    {
        lock (_gate)
        {
            _used -= bytes;
            _parent?.Give(bytes);
        }
    }

    /// <summary>Gives everything held back to the parent and stops counting there: the session has ended.</summary>
    /// <remarks>Its streams may still be read to the end by slow clients; they just no longer weigh on other sessions.</remarks>
    public void Detach()
    {
        lock (_gate)
        {
            _parent?.Give(_used);
            _parent = null;
        }
    }
}
