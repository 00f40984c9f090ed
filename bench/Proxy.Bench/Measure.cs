using System.Diagnostics;

namespace Smcp.Bench;

/// <summary>A system under test: a name and a way to open one more session of it.</summary>
internal sealed record BenchSystem(string Name, string Label, Func<CancellationToken, Task<IBenchSession>> OpenAsync);

/// <summary>One measuring window: calls per second, and CPU microseconds per call by program (see <see cref="CpuUsage"/>).</summary>
internal sealed record Window(double CallsPerSecond, Dictionary<string, double> CpuPerCall)
{
    public override string ToString() => $"{CallsPerSecond:0} calls/s [{CpuUsage.Describe(CpuPerCall)}]";
}

internal static class Measure
{
    private static long _nextId = 1;

    private static long NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>Opens sessions until there are <paramref name="target"/>, a few at a time (starts are CPU-bound).</summary>
    public static async Task<TimeSpan> GrowAsync(BenchSystem system, List<IBenchSession> sessions, int target, int parallel, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var missing = target - sessions.Count;
        using var gate = new SemaphoreSlim(parallel);
        var opened = await Task.WhenAll(Enumerable.Range(0, Math.Max(0, missing)).Select(async _ =>
        {
            await gate.WaitAsync(ct);
            try
            {
                return await system.OpenAsync(ct);
            }
            finally
            {
                gate.Release();
            }
        }));
        sessions.AddRange(opened);
        return clock.Elapsed;
    }

    /// <summary>Every session makes <paramref name="calls"/> calls, all sessions at once: warms each server process's JIT alike.</summary>
    public static Task WarmAsync(IReadOnlyList<IBenchSession> sessions, int calls, CancellationToken ct) =>
        Task.WhenAll(sessions.Select(session => Task.Run(async () =>
        {
            for (var i = 0; i < calls; i++)
            {
                await session.CallAsync(NextId(), ct);
            }
        }, ct)));

    /// <summary>Sequential calls on one session; per-call latencies in ms.</summary>
    public static async Task<double[]> LatencyAsync(IBenchSession session, int warmup, int calls, CancellationToken ct)
    {
        for (var i = 0; i < warmup; i++)
        {
            await session.CallAsync(NextId(), ct);
        }

        var samples = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await session.CallAsync(NextId(), ct);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        return samples;
    }

    /// <summary>Every session calls back to back for <paramref name="duration"/>; total calls per second and where the CPU went.</summary>
    public static async Task<Window> ThroughputAsync(IReadOnlyList<IBenchSession> sessions, TimeSpan duration, CancellationToken ct)
    {
        var cpu = CpuUsage.Snapshot();
        var clock = Stopwatch.StartNew();
        var counts = await Task.WhenAll(sessions.Select(session => Task.Run(async () =>
        {
            long calls = 0;
            while (clock.Elapsed < duration)
            {
                await session.CallAsync(NextId(), ct);
                calls++;
            }

            return calls;
        }, ct)));
        var elapsed = clock.Elapsed;
        return new Window(counts.Sum() / elapsed.TotalSeconds, CpuUsage.PerCall(cpu, CpuUsage.Snapshot(), counts.Sum()));
    }

    public static double Percentile(double[] samples, double q)
    {
        var sorted = samples.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = q * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }

    public static double Median(IEnumerable<double> values) => Percentile(values.ToArray(), 0.5);

    public static async Task DisposeAllAsync(List<IBenchSession> sessions)
    {
        using var gate = new SemaphoreSlim(8);
        await Task.WhenAll(sessions.Select(async s =>
        {
            await gate.WaitAsync();
            try
            {
                await s.DisposeAsync();
            }
            finally
            {
                gate.Release();
            }
        }));
        sessions.Clear();
    }
}
