using System.Diagnostics;
using System.Globalization;
using System.Text;
using Docker.DotNet;
using Microsoft.Extensions.Logging.Abstractions;
using Smcp.Sandbox;
using Smcp.Sandbox.Pool;

// Sandbox benchmarks, side by side in one run. Usage: smcp-bench-sandbox [runs=5] [idle=200]
// or smcp-bench-sandbox stdout-rss [runtime=runc] [count=20] [seconds=30] (see StdoutRss),
// or smcp-bench-sandbox k8s-sim [starts=200] [concurrency=8] (see KubernetesSimulation).
if (args is ["k8s-sim", .. var simArgs])
{
    await Smcp.Bench.KubernetesSimulation.RunAsync(simArgs);
    return;
}

var docker = SandboxServiceCollectionExtensions.CreateDockerClient(new SandboxOptions());
if (args is ["stdout-rss", .. var rssArgs])
{
    await Smcp.Bench.StdoutRss.RunAsync(docker, rssArgs);
    return;
}

var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var idleTarget = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
const string Conformance = "smcp-test/conformance:test";
const string Everything = "smcp-test/everything:test";
const string Probe = "smcp-test/probe:test";
var initialize = Encoding.UTF8.GetBytes(
    """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}""");

ISandboxEngine Engine(string runtime) => SandboxServiceCollectionExtensions.CreateEngine(
    docker, new SandboxOptions { InstanceId = "smcp-bench", DefaultRuntime = runtime, StopGracePeriod = TimeSpan.FromSeconds(1) }, NullLoggerFactory.Instance);
SandboxSpec Spec(string image, double? cpus, params string[] args) => new()
{
    Image = image, Tenant = "bench", Server = image.Split('/', ':')[1],
    Args = args.Length == 0 ? null : args,
    Limits = new SandboxLimits { Cpus = cpus },
};

async Task<TimeSpan> FirstMessageAsync(RunningSandbox sandbox, Stopwatch clock, byte[] message)
{
    await sandbox.SendAsync(message, CancellationToken.None);
    await sandbox.Messages.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(120));
    return clock.Elapsed;
}

async Task<double> ColdStartAsync(string runtime, string image, double? cpus, byte[] message, params string[] args)
{
    var samples = new List<double>();
    var engine = Engine(runtime);
    for (var i = 0; i < runs; i++)
    {
        var clock = Stopwatch.StartNew();
        await using var sandbox = await engine.StartAsync(Spec(image, cpus, args), CancellationToken.None);
        samples.Add((await FirstMessageAsync(sandbox, clock, message)).TotalMilliseconds);
    }

    return Median(samples);
}

async Task<double> WarmAcquireAsync(string runtime, string image)
{
    var samples = new List<double>();
    await using var pool = new WarmPool(Engine(runtime), NullLoggerFactory.Instance);
    var spec = Spec(image, 1.0);
    var policy = new PoolPolicy(1, 4);
    for (var i = 0; i < runs; i++)
    {
        pool.Warm(spec, policy);
        await pool.WhenIdleAsync(spec, CancellationToken.None);
        // Let the server's runtime finish starting, as a pool member waiting for a session would have.
        await Task.Delay(TimeSpan.FromSeconds(runtime == SandboxRuntimes.Gvisor ? 10 : 4));
        var clock = Stopwatch.StartNew();
        await using var sandbox = await pool.AcquireAsync(spec, policy, CancellationToken.None);
        samples.Add((await FirstMessageAsync(sandbox, clock, initialize)).TotalMilliseconds);
    }

    return Median(samples);
}

async Task<long> MemoryUsageAsync(RunningSandbox sandbox)
{
    var stats = new LastStats();
    await docker.Containers.GetContainerStatsAsync(
        sandbox.ContainerId, new Docker.DotNet.Models.ContainerStatsParameters { Stream = false }, stats, CancellationToken.None);
    return (long)(stats.Last?.MemoryStats.Usage ?? 0);
}

async Task<(double Mib, int Started, double HostMib, double Seconds)> IdleAsync(string runtime, string image, int count)
{
    var engine = Engine(runtime);
    var before = MemAvailableMib();
    var sandboxes = new List<RunningSandbox>();
    var clock = Stopwatch.StartNew();
    try
    {
        for (var i = 0; i < count; i++)
        {
            var sandbox = await engine.StartAsync(Spec(image, null), CancellationToken.None);
            sandboxes.Add(sandbox);
            await FirstMessageAsync(sandbox, Stopwatch.StartNew(), initialize);
        }
    }
    catch (Exception ex) when (ex is SandboxException or TimeoutException or DockerApiException or InvalidOperationException)
    {
        Console.WriteLine($"  stopped at {sandboxes.Count}: {ex.Message}");
    }

    var seconds = clock.Elapsed.TotalSeconds;
    await Task.Delay(TimeSpan.FromSeconds(5));
    var alive = sandboxes.Count(s => !s.Exited.IsCompleted);
    var memory = new List<double>();
    foreach (var sandbox in sandboxes.Take(10))
    {
        memory.Add(await MemoryUsageAsync(sandbox) / 1048576.0);
    }

    var host = before - MemAvailableMib();
    foreach (var sandbox in sandboxes)
    {
        await sandbox.DisposeAsync();
    }

    return (Median(memory), alive, host, seconds);
}

static double MemAvailableMib()
{
    var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
}

static double Median(List<double> samples)
{
    if (samples.Count == 0)
    {
        return double.NaN;
    }

    samples.Sort();
    return samples.Count % 2 == 1 ? samples[samples.Count / 2] : (samples[(samples.Count / 2) - 1] + samples[samples.Count / 2]) / 2;
}

var line = Encoding.UTF8.GetBytes("{\"ping\":1}");
Console.WriteLine($"| measurement (median of {runs}, ms) | runc | runsc |");
Console.WriteLine("|---|---|---|");
async Task Row(string name, Func<string, Task<double>> measure)
{
    var runc = await measure(SandboxRuntimes.Runc);
    var runsc = await measure(SandboxRuntimes.Gvisor);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {runc:0} | {runsc:0} |"));
}

await Row("trivial image (probe `cat`): create → first echoed line", rt => ColdStartAsync(rt, Probe, 1.0, line, "cat"));
await Row("cold start C# server, 1 CPU: create → initialize result", rt => ColdStartAsync(rt, Conformance, 1.0, initialize));
await Row("cold start C# server, no CPU limit", rt => ColdStartAsync(rt, Conformance, null, initialize));
await Row("cold start server-everything (node), 1 CPU", rt => ColdStartAsync(rt, Everything, 1.0, initialize));
await Row("cold start server-everything (node), no CPU limit", rt => ColdStartAsync(rt, Everything, null, initialize));
await Row("warm pool acquire → initialize result (C# server)", rt => WarmAcquireAsync(rt, Conformance));
await Row("warm pool acquire → initialize result (server-everything)", rt => WarmAcquireAsync(rt, Everything));

foreach (var runtime in new[] { SandboxRuntimes.Runc, SandboxRuntimes.Gvisor })
{
    var (mib, _, _, _) = await IdleAsync(runtime, Conformance, 5);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"idle memory per sandbox (C# server, {runtime}, cgroup): {mib:0.0} MiB"));
}

if (idleTarget == 0)
{
    return;
}

var idle = await IdleAsync(SandboxRuntimes.Gvisor, Conformance, idleTarget);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"idle runsc sandboxes of the C# server: {idle.Started} of {idleTarget} alive after start; host memory taken {idle.HostMib:0} MiB ({idle.HostMib / Math.Max(1, idle.Started):0.0} MiB each); started in {idle.Seconds:0} s"));

/// <summary>Keeps the stats report synchronously (Progress&lt;T&gt; would post it after the call returned).</summary>
internal sealed class LastStats : IProgress<Docker.DotNet.Models.ContainerStatsResponse>
{
    public Docker.DotNet.Models.ContainerStatsResponse? Last { get; private set; }

    public void Report(Docker.DotNet.Models.ContainerStatsResponse value) => Last = value;
}
