using System.Globalization;
using Docker.DotNet;
using Microsoft.Extensions.Logging.Abstractions;
using Smcp.Sandbox;

namespace Smcp.Bench;

/// <summary>
/// This process's RSS with warm sandboxes nobody reads (the sandbox layer as the proxy hosts it): servers that
/// print nothing, servers that flood stdout with 4 MiB lines under the default flood timeout, and flooders
/// held under back-pressure for the whole window. Usage: smcp-bench-sandbox stdout-rss [runtime=runc] [count=20] [seconds=30]
/// </summary>
internal static class StdoutRss
{
    private const string Hostile = "smcp-test/hostile:test";

    public static async Task RunAsync(IDockerClient docker, string[] args)
    {
        var runtime = args.Length > 0 ? args[0] : SandboxRuntimes.Runc;
        var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        var window = TimeSpan.FromSeconds(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 30);
        var defaults = new SandboxOptions();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count} warm {runtime} sandboxes, nobody reads; RSS of this process in MiB, sampled every second for {window.TotalSeconds:0} s after the last start (no forced GC); warm bound {defaults.WarmStdoutBufferBytes / 1024} KiB, line limit {defaults.MaxMessageBytes / 1048576} MiB"));
        Console.WriteLine("| servers | flood timeout | RSS before | start | median | max | end | ended as StdoutFlood |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        await RowAsync(docker, runtime, count, window, "print nothing", defaults.StdoutFloodTimeout);
        await RowAsync(docker, runtime, count, window, "flood", defaults.StdoutFloodTimeout, "flood");
        await RowAsync(docker, runtime, count, window, "flood", window * 4, "flood");
    }

    private static async Task RowAsync(IDockerClient docker, string runtime, int count, TimeSpan window, string name, TimeSpan floodTimeout, params string[] args)
    {
        var engine = SandboxServiceCollectionExtensions.CreateEngine(docker, new SandboxOptions
        {
            InstanceId = "smcp-bench-stdout", DefaultRuntime = runtime, StopGracePeriod = TimeSpan.FromSeconds(1), StdoutFloodTimeout = floodTimeout,
        }, NullLoggerFactory.Instance);
        var spec = new SandboxSpec { Image = Hostile, Tenant = "bench", Server = "hostile", Args = args.Length == 0 ? null : args };

        // One sandbox first, so code and engine connections are in place before the baseline.
        await using (await engine.StartUnclaimedAsync(spec, CancellationToken.None))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var before = RssMib();
        var sandboxes = new List<RunningSandbox>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                sandboxes.Add(await engine.StartUnclaimedAsync(spec, CancellationToken.None));
            }

            var samples = new List<double>();
            var started = TimeProvider.System.GetTimestamp();
            while (TimeProvider.System.GetElapsedTime(started) < window)
            {
                samples.Add(RssMib());
                await Task.Delay(TimeSpan.FromSeconds(1));
            }

            var flooded = sandboxes.Count(s => s.Exited.IsCompletedSuccessfully && s.Exited.Result.Reason == SandboxExitReason.StdoutFlood);
            var sorted = samples.Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {count} that {name} | {floodTimeout.TotalSeconds:0} s | {before:0} | {samples[0]:0} | {sorted[sorted.Count / 2]:0} | {sorted[^1]:0} | {samples[^1]:0} | {flooded} of {count} |"));
        }
        finally
        {
            await Task.WhenAll(sandboxes.Select(s => s.DisposeAsync().AsTask()));
        }
    }

    private static double RssMib()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }
}
