using System.Text;
using System.Text.Json;
using Smcp.Proxy.Guard;
using Smcp.Proxy.Json;
using Smcp.Proxy.Ports;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Proxy.Tests.Guard;

/// <summary>
/// The false-positive check: the real listings of ten MCP servers from npm (RealServers/package.json pins them), fetched
/// over stdio by the official TypeScript SDK client, pass the scan under <c>block</c> untouched.
/// </summary>
public sealed class RealListingTests
{
    private static readonly string[] Servers =
    [
        "server-everything", "server-filesystem", "server-memory", "server-sequential-thinking", "server-github", "server-gitlab",
        "server-slack", "server-brave-search", "server-google-maps", "mcp-server-chart",
    ];

    private static string SourceDir => Path.Combine(NodeTools.RepoRoot, "tests/Proxy.Tests/Guard/RealServers");

    private sealed record Listing(string Server, string Method, JsonElement Result);

    private static List<Listing>? _listings;

    [OneTimeSetUp]
    public async Task FetchAsync()
    {
        var node = await NodeTools.Node22Async();
        var install = await NodeTools.NpmCiAsync(SourceDir, "real-servers");
        var work = Directory.CreateTempSubdirectory("smcp-real-listings-");
        try
        {
            var (code, output) = await NodeTools.RunAsync(node, [Path.Combine(SourceDir, "listings.mjs"), install, work.FullName], SourceDir, TimeSpan.FromMinutes(4));
            Assert.That(code, Is.EqualTo(0), "listings.mjs failed: " + output);
            _listings = [.. output.Split('\n').Where(l => l.StartsWith("{\"server\"", StringComparison.Ordinal)).Select(l =>
            {
                using var document = JsonDocument.Parse(l);
                var root = document.RootElement;
                return new Listing(root.GetProperty("server").GetString()!, root.GetProperty("method").GetString()!, root.GetProperty("result").Clone());
            })];
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Test]
    public void Every_server_answered_its_tools_list_and_some_also_prompts_and_resources()
    {
        Assert.That(_listings!.Where(l => l.Method == "tools/list").Select(l => l.Server).Distinct(), Is.EquivalentTo(Servers));
        Assert.That(_listings!.Select(l => l.Method).Distinct(), Is.EquivalentTo(new[] { "tools/list", "prompts/list", "resources/list", "resources/templates/list" }));
        Assert.That(_listings!.Where(l => l.Method == "tools/list").Sum(l => l.Result.GetProperty("tools").GetArrayLength()), Is.GreaterThan(100));
    }

    [Test]
    public void No_real_listing_loses_an_entry_under_block_and_each_passes_byte_for_byte()
    {
        var guard = new ToolGuard(Microsoft.Extensions.Options.Options.Create(new ProxyOptions()));
        var blocked = new List<string>();
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var listing in _listings!)
        {
            var line = Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","id":1,"result":{{listing.Result.GetRawText()}}}""");
            var answer = guard.Inspect(ListingKind.ForList(listing.Method)!, line, new RequestId("n:1", "1"), ToolScanPolicy.Block);
            var verdict = answer.Verdict!;
            blocked.AddRange(verdict.Blocked.Select(b => $"{listing.Server} {listing.Method} {b.Key}: {b.Reason}"));
            Assert.That(verdict.Unreadable, Is.Null, $"{listing.Server} {listing.Method}");
            Assert.That(answer.Line.ToArray(), Is.EqualTo(line), $"{listing.Server} {listing.Method} was rewritten");
            foreach (var finding in verdict.Findings)
            {
                var key = $"{finding.Rule} ({listing.Server})";
                low[key] = low.GetValueOrDefault(key) + 1;
            }
        }

        // What warn would audit on honest servers: kept visible in the test log, so a noisy rule shows.
        foreach (var (rule, count) in low.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            TestContext.Out.WriteLine($"low finding {rule}: {count}");
        }

        Assert.That(blocked, Is.Empty);
    }
}
