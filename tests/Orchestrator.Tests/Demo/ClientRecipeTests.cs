using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using ModelContextProtocol.Client;
using Smcp.Orchestrator.Tests.Support;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Orchestrator.Tests.Demo;

/// <summary>
/// Every client snippet <c>scripts/run.sh</c> prints (README's "Connect a client"), run as printed by
/// <c>examples/clients.sh</c> against the demo host: each lists the deployed server's real tools, and a wrong key is
/// a prompt, clear refusal from the same client.
/// </summary>
public sealed partial class ClientRecipeTests
{
    private static readonly TimeSpan Install = TimeSpan.FromMinutes(4);

    // A refusal comes back at once; a client that waited for a browser sign-in instead would be killed here.
    private static readonly TimeSpan Refusal = TimeSpan.FromMinutes(1);

    private const string Refused = "The bearer credential is not valid.";

    private string[] _tools = [];
    private string _wrongKey = "";

    [OneTimeSetUp]
    public async Task ListToolsWithoutAnySdk()
    {
        // The reference: the server's own tools/list over plain HTTP, independent of every client under test.
        using var mcp = DemoHost.Smcp.Client(DemoHost.Key);
        var session = await HostMcp.InitializeAsync(mcp, DemoHost.McpPath);
        var list = await SmcpServerFixture.PostMcpAsync(mcp, session, """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", DemoHost.McpPath);
        _tools = [.. HostMcp.Message(await list.Content.ReadAsStringAsync())["result"]!["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>())];
        using var end = new HttpRequestMessage(HttpMethod.Delete, DemoHost.McpPath) { Headers = { { "Mcp-Session-Id", session } } };
        await mcp.SendAsync(end);
        Assert.That(_tools, Does.Contain("echo"), "server-everything lists its echo tool");
        // Well formed, of the right tenant, and unknown: the host refuses it with 401.
        _wrongKey = "smcp_demo_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    [Test]
    public async Task Inspector_cli_snippet_lists_the_tools()
    {
        var result = await RunInspectorAsync(DemoHost.Key, Install);

        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        var names = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString());
        Assert.That(names, Is.SupersetOf(_tools));
    }

    [Test]
    public async Task Inspector_cli_snippet_with_a_wrong_key_fails_at_once_with_the_refusal()
    {
        var result = await RunInspectorAsync(_wrongKey, Refusal);

        Assert.That(result.ExitCode, Is.Not.Zero);
        // Its error envelope is one JSON line on stderr, among its notices (no OS keychain here, and the like).
        var envelope = result.Stderr.Split('\n').FirstOrDefault(line => line.StartsWith("{\"error\":", StringComparison.Ordinal));
        Assert.That(envelope, Is.Not.Null, "the Inspector printed no error envelope: " + result.Stderr);
        var error = JsonDocument.Parse(envelope!).RootElement.GetProperty("error");
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo("auth_required"), result.Stderr);
        Assert.That(error.GetProperty("message").GetString(), Does.Contain(Refused));
    }

    [Test]
    public async Task TypeScript_sdk_snippet_lists_the_tools_and_a_wrong_key_gets_401()
    {
        // From a copy of the repository's examples/ folder: the snippet's `npm ci` writes node_modules there.
        var root = Directory.CreateTempSubdirectory("smcp-ts-recipe-").FullName;
        try
        {
            var examples = Directory.CreateDirectory(Path.Combine(root, "examples")).FullName;
            foreach (var file in new[] { "list-tools.mjs", "package.json", "package-lock.json" })
            {
                File.Copy(Path.Combine(NodeTools.RepoRoot, "examples", file), Path.Combine(examples, file));
            }

            var snippet = await ClientSnippets.TextAsync(DemoHost.McpUrl, DemoHost.Key, ClientSnippets.TypeScript);
            var listed = await ClientSnippets.RunSnippetAsync(snippet, root, Install);
            Assert.That(listed.ExitCode, Is.Zero, listed.Stderr);
            Assert.That(ListedNames(listed.Stdout), Is.SupersetOf(_tools));

            // The install is done: the wrong key runs the snippet's client alone.
            var wrong = await ClientSnippets.TextAsync(DemoHost.McpUrl, _wrongKey, ClientSnippets.TypeScript);
            Assert.That(wrong, Does.Contain("npm ci && "));
            var refused = await ClientSnippets.RunSnippetAsync(wrong.Replace("npm ci && ", "", StringComparison.Ordinal), root, Refusal);
            Assert.That(refused.ExitCode, Is.EqualTo(1));
            Assert.That(refused.Stderr, Does.StartWith($"{DemoHost.McpUrl}: HTTP 401: ").And.Contain(Refused));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public async Task CSharp_sdk_snippet_lists_the_tools()
    {
        var result = await RunFromRepositoryRootAsync(DemoHost.Key, Install);

        Assert.That(result.ExitCode, Is.Zero, result.Stderr);
        Assert.That(ListedNames(result.Stdout), Is.SupersetOf(_tools));
    }

    [Test]
    public async Task CSharp_sdk_snippet_with_a_wrong_key_gets_401()
    {
        // Built already if the other C# test ran first; else this run builds it, hence the install's deadline.
        var result = await RunFromRepositoryRootAsync(_wrongKey, Install);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.Stderr, Does.StartWith($"{DemoHost.McpUrl}: ").And.Contain("401 (Unauthorized)").And.Contain(Refused));
    }

    [Test]
    public async Task Ide_configuration_names_the_url_and_bearer_header_that_the_csharp_sdk_lists_the_tools_with()
    {
        var json = await ClientSnippets.TextAsync(DemoHost.McpUrl, DemoHost.Key, ClientSnippets.Ide);

        var server = JsonDocument.Parse(json).RootElement.GetProperty("mcpServers").GetProperty("smcp");
        Assert.That(server.GetProperty("type").GetString(), Is.EqualTo("http"), "Streamable HTTP");
        var url = server.GetProperty("url").GetString()!;
        Assert.That(url, Is.EqualTo(DemoHost.McpUrl));
        var headers = server.GetProperty("headers").EnumerateObject().ToDictionary(h => h.Name, h => h.Value.GetString()!);
        Assert.That(headers, Is.EqualTo(new Dictionary<string, string> { ["Authorization"] = $"Bearer {DemoHost.Key}" }));

        await using var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(url), TransportMode = HttpTransportMode.StreamableHttp, AdditionalHeaders = headers,
        });
        await using var client = await McpClient.CreateAsync(transport);
        var tools = await client.ListToolsAsync();

        Assert.That(tools.Select(t => t.Name), Is.SupersetOf(_tools));
    }

    [Test]
    public async Task Ide_configuration_with_a_wrong_key_is_refused_with_401()
    {
        var json = await ClientSnippets.TextAsync(DemoHost.McpUrl, _wrongKey, ClientSnippets.Ide);
        var server = JsonDocument.Parse(json).RootElement.GetProperty("mcpServers").GetProperty("smcp");
        var headers = server.GetProperty("headers").EnumerateObject().ToDictionary(h => h.Name, h => h.Value.GetString()!);

        await using var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(server.GetProperty("url").GetString()!), TransportMode = HttpTransportMode.StreamableHttp, AdditionalHeaders = headers,
        });
        var refused = Assert.ThrowsAsync<HttpRequestException>(async () => await McpClient.CreateAsync(transport));

        Assert.That(refused!.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    private static async Task<ProcessResult> RunInspectorAsync(string key, TimeSpan timeout)
    {
        // Installed from the lock file beside this test; the snippet's npx finds that exact version there.
        var directory = await NodeTools.NpmCiAsync(Path.Combine(NodeTools.RepoRoot, "tests/Orchestrator.Tests/Demo/Inspector"), "inspector");
        var node = await NodeTools.Node22Async();
        var snippet = await ClientSnippets.TextAsync(DemoHost.McpUrl, key, ClientSnippets.Inspector);
        var home = Directory.CreateTempSubdirectory("smcp-inspector-home-").FullName;
        try
        {
            // Node 22.19 or later first on PATH, as README asks; a home of its own, so no stored sign-in of this machine is used.
            return await ClientSnippets.RunSnippetAsync(snippet, directory, timeout, new Dictionary<string, string>
            {
                ["PATH"] = Path.GetDirectoryName(node) + ":" + Environment.GetEnvironmentVariable("PATH"),
                ["HOME"] = home,
            });
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private static async Task<ProcessResult> RunFromRepositoryRootAsync(string key, TimeSpan timeout)
    {
        var snippet = await ClientSnippets.TextAsync(DemoHost.McpUrl, key, ClientSnippets.CSharp);
        return await ClientSnippets.RunSnippetAsync(snippet, NodeTools.RepoRoot, timeout);
    }

    /// <summary>The tool names of the examples' output, one <c>name: description</c> line per tool.</summary>
    private static string[] ListedNames(string output) => [.. ListedTool().Matches(output).Select(m => m.Groups["name"].Value)];

    [GeneratedRegex(@"^(?<name>[A-Za-z0-9_.-]+): ", RegexOptions.Multiline)]
    private static partial Regex ListedTool();
}
