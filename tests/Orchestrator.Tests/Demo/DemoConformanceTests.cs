using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Smcp.Orchestrator.Tests.Support;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Orchestrator.Tests.Demo;

/// <summary>
/// The README's demo (<see cref="DemoHost"/>: server-everything under gVisor with the built-in quotas, maxSessions 20,
/// reclaimIdleAfter 30 s, one warm sandbox) under the official conformance runner twice in a row, with no clean-up between.
/// </summary>
/// <remarks>
/// The runner opens a session per scenario and never sends DELETE; with more scenarios than maxSessions a tenant
/// that could not reclaim abandoned sessions would be locked out part way through the first run and for all of the
/// second. server-everything is not the conformance server, so some scenarios fail by design: the same ones each time.
/// The client recipes (<see cref="ClientRecipeTests"/>) may run on the same tenant meanwhile, as a demo's other users
/// would: their few sessions (the Inspector's is left open too) must not lock the runner out either.
/// </remarks>
public sealed partial class DemoConformanceTests
{
    [Test]
    public async Task Two_conformance_runs_against_the_demo_pass_the_same_scenarios()
    {
        await using var forwarder = await KeyForwarder.StartAsync(DemoHost.Smcp.BaseAddress, DemoHost.Key);
        var url = string.Create(CultureInfo.InvariantCulture, $"http://localhost:{forwarder.Port}{DemoHost.McpPath}");

        var first = await RunAsync(url);
        var second = await RunAsync(url);

        Assert.That(first.Passed, Is.EquivalentTo(EverythingPasses), first.Summary);
        Assert.That(second.Passed, Is.EquivalentTo(first.Passed), $"first run:\n{first.Summary}\nsecond run:\n{second.Summary}");
        Assert.That(second.Output, Does.Not.Match(@"\b429\b"), "no scenario was refused for the session quota");
    }

    // What the pinned server-everything implements of the scenarios' fixed tools, resources and prompts.
    private static readonly string[] EverythingPasses =
    [
        "dns-rebinding-protection", "logging-set-level", "ping", "prompts-list", "resources-list", "resources-subscribe",
        "resources-unsubscribe", "server-initialize", "server-sse-multiple-streams", "tools-call-error", "tools-call-simple-text",
        "tools-list",
    ];

    private static async Task<(HashSet<string> Passed, string Summary, string Output)> RunAsync(string url)
    {
        var node = await NodeTools.Node22Async();
        var runner = await NodeTools.ConformanceRunnerAsync();
        var clock = Stopwatch.StartNew();
        var (_, output) = await NodeTools.RunAsync(node, [runner, "server", "--url", url, "--suite", "active"], NodeTools.RepoRoot, TimeSpan.FromMinutes(10));
        var at = output.LastIndexOf("=== SUMMARY ===", StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThanOrEqualTo(0), "the conformance runner printed no summary: " + output);
        var summary = output[at..];
        TestContext.Out.WriteLine($"run: {clock.Elapsed.TotalSeconds:0.0} s\n{summary}");
        var passed = Scenario().Matches(summary)
            .Where(m => m.Groups["failed"].Value == "0")
            .Select(m => m.Groups["scenario"].Value)
            .ToHashSet(StringComparer.Ordinal);
        return (passed, summary, output);
    }

    [GeneratedRegex(@"^\s*. (?<scenario>[a-z0-9-]+): (?<passed>\d+) passed, (?<failed>\d+) failed", RegexOptions.Multiline)]
    private static partial Regex Scenario();
}
