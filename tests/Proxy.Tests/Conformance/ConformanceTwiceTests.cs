using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Smcp.Sandbox.Pool;

namespace Smcp.Proxy.Tests.Conformance;

/// <summary>
/// The official conformance suite twice in a row against one running host, with no clean-up between,
/// for a tenant with fewer sandboxes (<see cref="TestHost.ReuseLimit"/>) than the suite has scenarios.
/// The runner never sends DELETE, so without reclaiming idle sessions the tenant is locked out part way.
/// </summary>
public sealed class ConformanceTwiceTests
{
    private const int ActiveScenarios = 30;

    [Test]
    public async Task Two_runs_without_cleanup_pass_the_same_scenarios_as_one_run_both_times()
    {
        var first = await RunAsync();
        var second = await RunAsync();

        Assert.That(first.Passed, Has.Count.EqualTo(ActiveScenarios), first.Summary);
        Assert.That(second.Passed, Is.EquivalentTo(first.Passed), second.Summary);
        Assert.That(first.Code, Is.EqualTo(0), first.Summary);
        Assert.That(second.Code, Is.EqualTo(0), second.Summary);
        Assert.That(TestHost.Recorder.Audit.Count(a => a.Tenant == TestHost.ReuseTenant && a.Outcome == "reclaimed"), Is.GreaterThan(0),
            "the runner's abandoned sessions were reclaimed");
        Assert.That(TestHost.Services.GetRequiredService<WarmPool>().TenantCount(TestHost.ReuseTenant), Is.LessThanOrEqualTo(TestHost.ReuseLimit));
    }

    private static async Task<(int Code, HashSet<string> Passed, string Summary)> RunAsync()
    {
        var initializesBefore = Initializes();
        var clock = Stopwatch.StartNew();
        var (code, output) = await ConformanceSuiteTests.RunSuiteAsync(TestHost.ReuseTenant, "conf", "active");
        TestContext.Out.WriteLine($"run: {clock.Elapsed.TotalSeconds:0.0} s, {Initializes() - initializesBefore} initializes, exit {code}");
        var summary = ConformanceSuiteTests.Summary(output);
        var passed = ConformanceSuiteTests.Scenario().Matches(summary)
            .Where(m => m.Groups["failed"].Value == "0")
            .Select(m => m.Groups["scenario"].Value)
            .ToHashSet(StringComparer.Ordinal);
        return (code, passed, summary);
    }

    private static int Initializes() => TestHost.Recorder.Audit.Count(a => a.Tenant == TestHost.ReuseTenant && a.Method == "initialize");
}
