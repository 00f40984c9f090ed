using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using CsCheck;
using Smcp.Fuzz.Tests.Checking;
using Smcp.Fuzz.Tests.Generation;
using Smcp.Fuzz.Tests.Sending;
using Smcp.Fuzz.Tests.Support;

namespace Smcp.Fuzz.Tests;

/// <summary>
/// Sends generated hostile requests to a real smcp host (proxy, tenant API, OAuth server; real Postgres, the conformance
/// server in a real sandbox) and checks every reply, then that the host still works and its memory came back.
/// </summary>
/// <remarks>
/// A fixed, seeded subset runs with the suite (<see cref="DefaultCount"/> requests); <c>SMCP_FUZZ_COUNT=100000</c> runs
/// the full proof on demand, <c>SMCP_FUZZ_SEED</c> another sequence. The same seed sends the same requests.
/// </remarks>
public sealed class ProxyAndApiFuzzTests
{
    public const int DefaultCount = 3000;
    public const ulong DefaultSeed = 20261203;

    /// <summary>Requests sent at once: enough to keep the host busy on two cores without the client being the bottleneck.</summary>
    private const int Concurrency = 8;

    /// <summary>How far above its baseline the managed heap may end (live sessions, caches of keys and clients, pooled buffers).</summary>
    private const double ManagedBoundMiB = 64;

    /// <summary>How far above its baseline the resident set may end: the runtime keeps some of the memory a full collection freed.</summary>
    private const double RssBoundMiB = 256;

    private FuzzTarget _target = null!;

    [OneTimeSetUp]
    public async Task Start() => _target = await FuzzTarget.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _target.DisposeAsync();

    [Test]
    public async Task Hostile_requests_get_no_5xx_and_clear_4xx_and_the_host_still_answers_with_its_memory_back_at_baseline()
    {
        var count = Setting("SMCP_FUZZ_COUNT", DefaultCount);
        var seed = Setting("SMCP_FUZZ_SEED", DefaultSeed);
        using var client = new FuzzClient(_target);
        await RunAsync(client, new FuzzTally(), Math.Min(300, count), seed + 1);
        var before = Memory.Measure();

        var tally = new FuzzTally();
        var clock = Stopwatch.StartNew();
        await RunAsync(client, tally, count, seed);
        var duration = clock.Elapsed;
        var tools = await ToolCountAsync(client);
        var after = Memory.Measure();

        var summary = tally.Summary(seed.ToString(CultureInfo.InvariantCulture), duration, before, after);
        await TestContext.Out.WriteLineAsync("FUZZ-SUMMARY " + summary);
        Assert.Multiple(() =>
        {
            Assert.That(tally.Failures, Is.Empty, $"{tally.FailureCount} of {tally.Requests} replies were wrong; the first ones:\n{string.Join("\n", tally.Failures)}");
            Assert.That(tally.Requests, Is.EqualTo(count));
            Assert.That(tools, Is.GreaterThan(0), "after the run a new session still initializes and lists the server's tools");
            Assert.That(after.ManagedMiB, Is.LessThanOrEqualTo(before.ManagedMiB + ManagedBoundMiB), summary);
            Assert.That(after.RssMiB, Is.LessThanOrEqualTo(before.RssMiB + RssBoundMiB), summary);
        });
    }

    /// <summary>Sends <paramref name="count"/> requests generated from <paramref name="seed"/>, <see cref="Concurrency"/> at a time.</summary>
    private async Task RunAsync(FuzzClient client, FuzzTally tally, int count, ulong seed)
    {
        var pcg = new PCG(1, seed);
        var index = 0;
        var requests = Enumerable.Range(0, count).Select(_ => (HostileRequests.Any.Generate(pcg, null, out Size _), index++));
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (item, _) =>
        {
            var reply = await client.SendAsync(item.Item1, item.Item2);
            if (reply.SessionId is { } issued && reply.Status == 200)
            {
                _target.Sessions.Add(issued);
            }

            tally.Add(item.Item1, reply, ReplyCheck.Judge(item.Item1, reply));
        });
    }

    /// <summary>A fresh session's tools/list, as any client would do after the run.</summary>
    /// <remarks>The run may have spent the tenant's session starts (20 a minute): 429 with Retry-After is the answer then, and the client waits as told.</remarks>
    private async Task<int> ToolCountAsync(FuzzClient client)
    {
        string? session = null;
        for (var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2); session is null && DateTime.UtcNow < deadline;)
        {
            using var initialize = await SessionPool.PostAsync(client.Http, _target.McpKey, null, SessionPool.Initialize, CancellationToken.None);
            if (initialize.StatusCode == HttpStatusCode.TooManyRequests)
            {
                await Task.Delay(initialize.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                continue;
            }

            Assert.That(initialize.StatusCode, Is.EqualTo(HttpStatusCode.OK), await initialize.Content.ReadAsStringAsync());
            session = initialize.Headers.GetValues("Mcp-Session-Id").Single();
        }

        Assert.That(session, Is.Not.Null, "a well-formed initialize is answered after the run");
        using var listed = await SessionPool.PostAsync(client.Http, _target.McpKey, session, """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", CancellationToken.None);
        var text = await listed.Content.ReadAsStringAsync();
        var json = listed.Content.Headers.ContentType?.MediaType == "text/event-stream"
            ? text.Split('\n').Last(l => l.StartsWith("data:", StringComparison.Ordinal))[5..]
            : text;
        return JsonNode.Parse(json)!["result"]!["tools"]!.AsArray().Count;
    }

    private static T Setting<T>(string name, T fallback) where T : IParsable<T> =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? T.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
