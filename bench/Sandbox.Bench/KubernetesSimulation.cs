using System.Diagnostics;
using System.Globalization;
using System.Text;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Smcp.Sandbox;
using Smcp.Sandbox.Kubernetes;
using Smcp.Sandbox.Tests.Kubernetes.Support;

namespace Smcp.Bench;

/// <summary>
/// N sandbox starts through the Kubernetes engine against the API server double (create, watch to running, attach, one
/// JSON-RPC round trip, delete), C at a time: what one SMCP replica spends per start, and the API calls each costs.
/// Usage: smcp-bench-sandbox k8s-sim [starts=200] [concurrency=8].
/// </summary>
internal static class KubernetesSimulation
{
    public static async Task RunAsync(string[] args)
    {
        var starts = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
        await using var server = await FakeApiServer.StartAsync();
        using var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = server.BaseUri.ToString() });
        var options = new SandboxOptions
        {
            Engine = SandboxEngines.Kubernetes,
            InstanceId = "smcp-bench",
            Kubernetes = new KubernetesSandboxOptions { Namespace = FakeApiServer.Namespace, RuntimeClassName = FakeApiServer.RuntimeClass, Registry = "registry.bench", InCluster = true },
        };
        var engine = SandboxServiceCollectionExtensions.CreateKubernetesEngine(client, options, NullLoggerFactory.Instance);
        var spec = new SandboxSpec
        {
            Image = "registry.bench/smcp/bench/echo@sha256:" + new string('c', 64),
            Tenant = "bench",
            Server = "echo",
        };
        await engine.EnsureRuntimeAsync(SandboxRuntimes.Gvisor, CancellationToken.None);
        var request = Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":1,"method":"initialize"}""");
        var before = server.Requests.Count;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var latencies = new List<double>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForAsync(0, starts, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (_, cancellationToken) =>
        {
            var one = Stopwatch.StartNew();
            await using var sandbox = await engine.StartAsync(spec, cancellationToken);
            await sandbox.SendAsync(request, cancellationToken);
            await sandbox.Messages.ReadAsync(cancellationToken);
            var elapsed = one.Elapsed.TotalMilliseconds;
            lock (latencies)
            {
                latencies.Add(elapsed);
            }
        });
        var wall = clock.Elapsed;
        // Process CPU covers both ends (the engine and the double in one process): an upper bound for the replica's share.
        var cpuPerStart = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / starts;
        var calls = server.Requests.Skip(before).GroupBy(r => $"{r.Method} {Shape(r.Path)}").OrderByDescending(g => g.Count());
        latencies.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{starts} starts, {concurrency} at a time: {starts / wall.TotalSeconds:0.0} starts/s, start→first reply p50 {latencies[latencies.Count / 2]:0.0} ms, " +
            $"p95 {latencies[(int)(latencies.Count * 0.95)]:0.0} ms; process CPU {cpuPerStart:0.00} ms per start (engine and double together)"));
        foreach (var group in calls)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {group.Key}: {group.Count() / (double)starts:0.00} per start"));
        }
    }

    private static string Shape(string path)
    {
        var bare = path.Split('?')[0];
        var kind = path.Contains("watch=", StringComparison.Ordinal) ? " (watch)" : "";
        var parts = bare.Split('/');
        return string.Join('/', parts.Select((p, i) => i > 0 && parts[i - 1] == "pods" ? "{pod}" : p)) + kind;
    }
}
