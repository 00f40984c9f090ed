using System.Globalization;
using System.Runtime;
using Smcp.Sandbox.Tests.Support;

namespace Smcp.Sandbox.Tests.Engine;

/// <summary>Acceptance: warm sandboxes that flood stdout while nobody reads cost this process a bounded, stated amount of memory.</summary>
// Measures the whole test process's RSS: another fixture's sandboxes and buffers running alongside would count.
[NonParallelizable]
public sealed class StdoutFloodMemoryTests
{
    private const int Flooders = 8;
    private const long Slack = 48L * 1024 * 1024;
    private static readonly TimeSpan FloodTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(8);

    [Test]
    public async Task Eight_warm_flooders_nobody_reads_keep_the_process_within_their_bounds_and_are_ended()
    {
        var options = TestDocker.Options(SandboxRuntimes.Runc);
        // Per flooder: the warm buffer, the 4 MiB line waiting for room, the start of the next line (at most one
        // 64 KiB read) and the read buffer.
        var perSandbox = options.WarmStdoutBufferBytes + options.MaxMessageBytes + (2 * 64 * 1024);
        var limit = (Flooders * perSandbox) + Slack;
        var engine = await TestDocker.EngineAsync(SandboxRuntimes.Runc, o => o.StdoutFloodTimeout = FloodTimeout);
        var spec = TestDocker.Spec(TestDocker.Hostile, "flood");

        // One flooder first, so the code and the engine connections the measured ones use are loaded before the baseline.
        await using (var warmUp = await engine.StartUnclaimedAsync(spec, CancellationToken.None))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        var baseline = SettledRss();
        var sandboxes = new List<RunningSandbox>();
        try
        {
            for (var i = 0; i < Flooders; i++)
            {
                sandboxes.Add(await engine.StartUnclaimedAsync(spec, CancellationToken.None));
            }

            long most = 0;
            var samples = new List<long>();
            var clock = TimeProvider.System.GetTimestamp();
            while (TimeProvider.System.GetElapsedTime(clock) < Window)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                var growth = SettledRss() - baseline;
                samples.Add(growth);
                most = Math.Max(most, growth);
                if (growth > limit)
                {
                    break;
                }
            }

            // Checked before waiting for the ends: a buffer without a bound would go on growing meanwhile.
            TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"baseline {Mib(baseline)} MiB; growth while flooding {string.Join(", ", samples.Select(Mib))} MiB (max {Mib(most)}, limit {Mib(limit)})"));
            Assert.That(most, Is.LessThanOrEqualTo(limit), $"RSS growth with {Flooders} flooders");

            var exits = await Task.WhenAll(sandboxes.Select(s => s.Exited.WaitAsync(FloodTimeout + TimeSpan.FromSeconds(30))));
            TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"growth after they ended: {Mib(SettledRss() - baseline)} MiB"));
            Assert.That(exits.Select(e => e.Reason), Is.All.EqualTo(SandboxExitReason.StdoutFlood));
            Assert.That(sandboxes.Select(s => s.BufferedBytes), Is.All.EqualTo(0));
        }
        finally
        {
            await Task.WhenAll(sandboxes.Select(s => s.DisposeAsync().AsTask()));
        }
    }

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>VmRSS after a full, compacting collection: what the process holds, not garbage it has yet to collect.</summary>
    private static long SettledRss()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
}
