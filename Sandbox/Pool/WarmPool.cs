using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Smcp.Sandbox.Pool;

/// <summary>How many sandboxes to keep warm for one spec, and how many a tenant may have in all.</summary>
/// <param name="WarmSize">Sandboxes kept started and waiting for their first message.</param>
/// <param name="TenantLimit">The tenant's ceiling on live sandboxes, warm ones included.</param>
public sealed record PoolPolicy(int WarmSize, int TenantLimit);

/// <summary>
/// Keeps sandboxes started ahead of need, per (tenant, server, spec), so a session takes one at once
/// and does not wait for a cold start. Warm sandboxes count against the tenant's limit.
/// </summary>
public sealed class WarmPool(ISandboxEngine engine, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger("Smcp.Sandbox.Pool");
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TenantCounter> _tenants = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _life = new();

    /// <summary>Sandboxes started and waiting for <paramref name="spec"/>.</summary>
    public int ReadyCount(SandboxSpec spec) => _entries.TryGetValue(spec.Fingerprint(), out var entry) ? entry.Ready.Count : 0;

    /// <summary>Live sandboxes of a tenant: warm, starting and handed out.</summary>
    public int TenantCount(string tenant) => _tenants.TryGetValue(tenant, out var count) ? count.Value : 0;

    /// <summary>Raised after every start, warm or cold, successful or not, with how long it took.</summary>
    public event Action<SandboxStarted>? Started;

    /// <summary>Per tenant that ever had a sandbox: those waiting in the pool, and those a session holds or is starting.</summary>
    public IEnumerable<(string Tenant, int Pooled, int Active)> Usage()
    {
        foreach (var (tenant, counter) in _tenants)
        {
            var entries = _entries.Values.Where(e => e.Spec.Tenant == tenant).ToList();
            var pooled = entries.Sum(e => e.Ready.Count);
            var active = counter.Value - pooled - entries.Sum(e => Volatile.Read(ref e.Starting));
            yield return (tenant, pooled, Math.Max(0, active));
        }
    }

    /// <summary>Hands out a ready sandbox for <paramref name="spec"/>, or cold-starts one on a miss; refills behind.</summary>
    /// <exception cref="SandboxException">The tenant is at its limit (<see cref="SandboxError.TenantLimitReached"/>) or the start failed.</exception>
    public async Task<RunningSandbox> AcquireAsync(SandboxSpec spec, PoolPolicy policy, CancellationToken cancellationToken)
    {
        var entry = EntryFor(spec);
        while (true)
        {
            var changed = entry.Changed;
            while (entry.Ready.TryDequeue(out var warm))
            {
                if (!warm.Exited.IsCompleted)
                {
                    warm.Claim();
                    Refill(entry, policy);
                    return warm;
                }

                await warm.DisposeAsync().ConfigureAwait(false);
            }

            if (await StartCountedAsync(spec, policy, cancellationToken).ConfigureAwait(false) is { } started)
            {
                Refill(entry, policy);
                return started;
            }

            // At the tenant's limit: a warm sandbox still starting for this spec holds the slot, so wait for it.
            if (Volatile.Read(ref entry.Starting) == 0)
            {
                throw new SandboxException(
                    SandboxError.TenantLimitReached,
                    $"Tenant '{spec.Tenant}' already runs its limit of {policy.TenantLimit} sandboxes.");
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts warm sandboxes for <paramref name="spec"/> up to the policy, in the background.</summary>
    public void Warm(SandboxSpec spec, PoolPolicy policy) => Refill(EntryFor(spec), policy);

    /// <summary>Waits until no refill is in flight for <paramref name="spec"/>.</summary>
    public async Task WhenIdleAsync(SandboxSpec spec, CancellationToken cancellationToken)
    {
        var entry = EntryFor(spec);
        while (true)
        {
            var changed = entry.Changed;
            if (Volatile.Read(ref entry.Starting) == 0)
            {
                return;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops one ready warm sandbox of the tenant (of any of its servers), so a session can have its place; false when none is ready.</summary>
    public async Task<bool> DropOneAsync(string tenant)
    {
        foreach (var entry in _entries.Values.Where(e => e.Spec.Tenant == tenant))
        {
            if (entry.Ready.TryDequeue(out var sandbox))
            {
                // Disposal ends the sandbox, and its end gives the tenant's slot back before this returns.
                await sandbox.DisposeAsync().ConfigureAwait(false);
                return true;
            }
        }

        return false;
    }

    /// <summary>Stops and removes the warm sandboxes of one server (after a redeploy or delete), or of all a tenant's servers when <paramref name="server"/> is null.</summary>
    public async Task DrainAsync(string tenant, string? server)
    {
        foreach (var (key, entry) in _entries.Where(e => e.Value.Spec.Tenant == tenant && (server is null || e.Value.Spec.Server == server)))
        {
            // Retired first, so a warm start still in flight is thrown away when it lands, not kept.
            entry.Retired = true;
            _entries.TryRemove(key, out _);
            while (entry.Ready.TryDequeue(out var sandbox))
            {
                await sandbox.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _life.CancelAsync().ConfigureAwait(false);
        var ready = new List<RunningSandbox>();
        foreach (var entry in _entries.Values)
        {
            while (entry.Ready.TryDequeue(out var sandbox))
            {
                ready.Add(sandbox);
            }
        }

        // Side by side: each stop waits out its grace period, and a host stopping under a service manager's deadline has many.
        await Task.WhenAll(ready.Select(s => s.DisposeAsync().AsTask())).ConfigureAwait(false);

        _life.Dispose();
    }

    private Entry EntryFor(SandboxSpec spec) => _entries.GetOrAdd(spec.Fingerprint(), _ => new Entry(spec));

    private void Refill(Entry entry, PoolPolicy policy)
    {
        while (entry.Ready.Count + Volatile.Read(ref entry.Starting) < policy.WarmSize && !_life.IsCancellationRequested)
        {
            if (!Counter(entry.Spec.Tenant).TryTake(policy.TenantLimit))
            {
                return;
            }

            Interlocked.Increment(ref entry.Starting);
            _ = FillOneAsync(entry);
        }
    }

    private async Task FillOneAsync(Entry entry)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var sandbox = await engine.StartUnclaimedAsync(entry.Spec, _life.Token).ConfigureAwait(false);
            Report(entry.Spec, warm: true, succeeded: true, started);
            Track(sandbox);
            if (entry.Retired)
            {
                await sandbox.DisposeAsync().ConfigureAwait(false);
                return;
            }

            entry.Ready.Enqueue(sandbox);
        }
        catch (Exception ex) when (ex is SandboxException or OperationCanceledException or HttpRequestException or Docker.DotNet.DockerApiException)
        {
            Report(entry.Spec, warm: true, succeeded: false, started);
            Counter(entry.Spec.Tenant).Release();
            if (!_life.IsCancellationRequested)
            {
                Log.RefillFailed(_logger, ex, entry.Spec.Tenant, entry.Spec.Server);
            }
        }
        finally
        {
            Interlocked.Decrement(ref entry.Starting);
            entry.Signal();
        }
    }

    private async Task<RunningSandbox?> StartCountedAsync(SandboxSpec spec, PoolPolicy policy, CancellationToken cancellationToken)
    {
        var counter = Counter(spec.Tenant);
        if (!counter.TryTake(policy.TenantLimit))
        {
            return null;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var sandbox = await engine.StartAsync(spec, cancellationToken).ConfigureAwait(false);
            Report(spec, warm: false, succeeded: true, started);
            Track(sandbox);
            return sandbox;
        }
        catch
        {
            Report(spec, warm: false, succeeded: false, started);
            counter.Release();
            throw;
        }
    }

    private void Report(SandboxSpec spec, bool warm, bool succeeded, long started) =>
        Started?.Invoke(new SandboxStarted(spec.Tenant, warm, succeeded, Stopwatch.GetElapsedTime(started)));

    /// <summary>A sandbox stops counting against its tenant once it has ended.</summary>
    private void Track(RunningSandbox sandbox)
    {
        var counter = Counter(sandbox.Spec.Tenant);
        sandbox.OnEnded(counter.Release);
    }

    private TenantCounter Counter(string tenant) => _tenants.GetOrAdd(tenant, _ => new TenantCounter());

    private sealed class Entry(SandboxSpec spec)
    {
        public SandboxSpec Spec { get; } = spec;

        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<RunningSandbox> Ready { get; } = new();

        /// <summary>Completes the next time a warm start finishes, well or not.</summary>
        public Task Changed => Volatile.Read(ref _changed).Task;

        public int Starting;

        public volatile bool Retired;

        public void Signal() =>
            Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private sealed class TenantCounter
    {
        private int _value;

        public int Value => Volatile.Read(ref _value);

        public bool TryTake(int limit)
        {
            while (true)
            {
                var current = Volatile.Read(ref _value);
                if (current >= limit)
                {
                    return false;
                }

                if (Interlocked.CompareExchange(ref _value, current + 1, current) == current)
                {
                    return true;
                }
            }
        }

        public void Release() => Interlocked.Decrement(ref _value);
    }
}
