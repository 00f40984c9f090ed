namespace Smcp.Proxy.Sessions;

/// <summary>The bytes one session's SSE streams hold for replay, against <see cref="ProxyOptions.SessionReplayBudgetBytes"/>.</summary>
internal sealed class ReplayBudget(long limit)
{
    private long _used;

    public bool IsOver => Interlocked.Read(ref _used) > limit;

    public void Take(long bytes) => Interlocked.Add(ref _used, bytes);

    public void Give(long bytes) => Interlocked.Add(ref _used, -bytes);
}
