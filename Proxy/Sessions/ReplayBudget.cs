namespace Smcp.Proxy.Sessions;

/// <summary>
/// Bytes held for SSE replay against a limit: one per session (<see cref="ProxyOptions.SessionReplayBudgetBytes"/>),
/// inside one for the whole proxy (<see cref="ProxyOptions.ReplayBudgetBytes"/>). A stream that appends while
/// either is over drops its own oldest events.
/// </summary>
internal sealed class ReplayBudget(long limit, ReplayBudget? parent = null)
{
    private long _used;

    public bool IsOver => Interlocked.Read(ref _used) > limit || parent is { IsOver: true };

    public void Take(long bytes)
    {
        Interlocked.Add(ref _used, bytes);
        parent?.Take(bytes);
    }

    public void Give(long bytes)
    {
        Interlocked.Add(ref _used, -bytes);
        parent?.Give(bytes);
    }
}
