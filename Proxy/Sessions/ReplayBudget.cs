namespace Smcp.Proxy.Sessions;

/// <summary>
/// Bytes held for SSE replay against a limit: one per session (<see cref="ProxyOptions.SessionReplayBudgetBytes"/>),
/// inside one for the whole proxy (<see cref="ProxyOptions.ReplayBudgetBytes"/>). While either is over, the
/// GET stream drops its oldest events as it grows and answered POST streams are let go first.
/// </summary>
internal sealed class ReplayBudget(long limit, ReplayBudget? parent = null)
{
    private readonly Lock _gate = new();
    private ReplayBudget? _parent = parent;
    private long _used;

    public bool IsOver
    {
        get
        {
            lock (_gate)
            {
                return _used > limit || _parent is { IsOver: true };
            }
        }
    }

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
