using System.Globalization;
using System.Text.RegularExpressions;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Proxy.Tests.Conformance;

/// <summary>
/// The official MCP conformance suite (server scenarios) against the project's conformance server
/// behind the proxy. The runner sends no credential: it goes through the test host's public listener.
/// </summary>
[TestFixture("conf")]
[TestFixture("conf-gvisor")]
public sealed partial class ConformanceSuiteTests(string server)
{
    [Test]
    public async Task Every_active_server_scenario_passes()
    {
        var (code, output) = await RunSuiteAsync("active");
        var summary = Summary(output);

        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(Scenario().Matches(summary).Count(m => m.Groups["failed"].Value == "0"), Is.EqualTo(30), summary);
        Assert.That(Total().Match(summary).Groups["failed"].Value, Is.EqualTo("0"), summary);
        Assert.That(output, Does.Not.Contain("WARNING"));
    }

    [Test]
    public async Task Pending_server_scenarios_pass()
    {
        var (code, output) = await RunSuiteAsync("pending");
        var summary = Summary(output);

        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(Total().Match(summary).Groups["failed"].Value, Is.EqualTo("0"), summary);
        Assert.That(output, Does.Not.Contain("WARNING"));
    }

    /// <summary>The runner's summary block; fails with the whole output when the runner printed none (it crashed or never started).</summary>
    internal static string Summary(string output)
    {
        var at = output.LastIndexOf("=== SUMMARY ===", StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThanOrEqualTo(0), "the conformance runner printed no summary: " + output);
        TestContext.Out.WriteLine(output[at..]);
        return output[at..];
    }

    private Task<(int, string)> RunSuiteAsync(string suite) => RunSuiteAsync("acme", server, suite);

    /// <summary>Runs the official runner's server scenarios of <paramref name="suite"/> against a server of the test host's public listener.</summary>
    internal static async Task<(int, string)> RunSuiteAsync(string tenant, string server, string suite)
    {
        var node = await NodeTools.Node22Async();
        var runner = await NodeTools.ConformanceRunnerAsync();
        var url = string.Create(CultureInfo.InvariantCulture, $"http://localhost:{TestHost.PublicPort}/t/{tenant}/{server}/mcp");
        return await NodeTools.RunAsync(node, [runner, "server", "--url", url, "--suite", suite], NodeTools.RepoRoot, TimeSpan.FromMinutes(10));
    }

    [GeneratedRegex(@"^\s*. (?<scenario>[a-z0-9-]+): (?<passed>\d+) passed, (?<failed>\d+) failed", RegexOptions.Multiline)]
    internal static partial Regex Scenario();

    [GeneratedRegex(@"Total: (?<passed>\d+) passed, (?<failed>\d+) failed")]
    internal static partial Regex Total();
}
