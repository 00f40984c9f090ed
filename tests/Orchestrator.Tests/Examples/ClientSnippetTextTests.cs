using System.Text.Json;
using System.Text.RegularExpressions;
using Smcp.Orchestrator.Tests.Support;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Orchestrator.Tests.Examples;

/// <summary>
/// One source for the client snippets: README shows what <c>examples/clients.sh</c> prints for the demo URL, run.sh
/// prints it, and the versions it names are the ones the tests run (<c>Demo/ClientRecipeTests</c> runs each snippet).
/// </summary>
public sealed partial class ClientSnippetTextTests
{
    private const string DemoUrl = "http://127.0.0.1:8080/t/demo/everything/mcp";

    private static string Read(string path) => File.ReadAllText(Path.Combine(NodeTools.RepoRoot, path));

    [Test]
    public async Task Readme_shows_what_clients_sh_prints_for_the_demo_url()
    {
        var printed = await ClientSnippets.TextAsync(DemoUrl, "smcp_demo_KEY");

        var block = ReadmeBlock().Match(Read("README.md"));
        Assert.That(block.Success, Is.True, "README's \"Connect a client\" has a ```text block after \"For the demo URL they read:\"");
        Assert.That(block.Groups["text"].Value, Is.EqualTo(printed), "README.md and examples/clients.sh drifted: paste `bash examples/clients.sh " + DemoUrl + " smcp_demo_KEY` into README");
    }

    [Test]
    public void Run_sh_prints_the_snippets_for_its_url_and_key() =>
        Assert.That(Read("scripts/run.sh"), Does.Contain("bash examples/clients.sh \"$api$url\" \"$key\""));

    [TestCase("http://127.0.0.1:8080/t/demo/x/mcp\";touch MARKER;\"", "smcp_demo_key")]
    [TestCase("http://127.0.0.1:8080/t/demo/$(touch MARKER)/mcp", "smcp_demo_key")]
    [TestCase("http://127.0.0.1:8080/t/demo/x/mcp", "smcp_demo_$(touch MARKER)")]
    [TestCase("http://127.0.0.1:8080/t/demo/x/mcp", "smcp_demo_key\" && touch MARKER && \"")]
    [TestCase("file:///etc/passwd", "smcp_demo_key")]
    public async Task A_url_or_key_that_would_need_quoting_is_refused_and_nothing_is_printed(string url, string key)
    {
        var marker = Path.Combine(Path.GetTempPath(), "smcp-snippet-marker-" + Guid.NewGuid().ToString("N"));
        url = url.Replace("MARKER", marker, StringComparison.Ordinal);
        key = key.Replace("MARKER", marker, StringComparison.Ordinal);

        var result = await ClientSnippets.RunAsync("bash", ["examples/clients.sh", url, key], NodeTools.RepoRoot, TimeSpan.FromSeconds(30));
        Assert.That(result.ExitCode, Is.EqualTo(2), result.Stderr);
        Assert.That(result.Stderr, Does.Contain("is not an MCP URL of SMCP").Or.Contain("the key holds characters an SMCP key does not"));
        Assert.That(result.Stdout, Is.Empty);
        Assert.That(File.Exists(marker), Is.False);
    }

    [Test]
    public void The_inspector_snippet_names_the_version_the_tests_install()
    {
        var pinned = JsonDocument.Parse(Read("tests/Orchestrator.Tests/Demo/Inspector/package.json")).RootElement
            .GetProperty("dependencies").GetProperty("@modelcontextprotocol/inspector").GetString();

        Assert.That(Read("examples/clients.sh"), Does.Contain($"npx -y @modelcontextprotocol/inspector@{pinned} --cli "));
    }

    [Test]
    public void The_csharp_example_takes_the_sdk_version_the_repository_pins()
    {
        var example = Read("examples/ListTools.cs");

        Assert.That(example, Does.Contain("\n#:package ModelContextProtocol\n"), "no version in the file: Directory.Packages.props decides");
        Assert.That(example, Does.Not.Contain("ManagePackageVersionsCentrally"));
        Assert.That(Read("Directory.Packages.props"), Does.Match("<PackageVersion Include=\"ModelContextProtocol\" Version=\"[0-9.]+\" />"));
    }

    [GeneratedRegex(@"For the demo URL they read:\n\n```text\n(?<text>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ReadmeBlock();
}
