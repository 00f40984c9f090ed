using System.Globalization;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Proxy.Tests.TypeScript;

/// <summary>The README's client snippet (examples/list-tools.mjs with the pinned TypeScript SDK) lists a hosted server's tools.</summary>
public sealed class ReadmeExampleTests
{
    [Test]
    public async Task The_readme_example_lists_the_tools_of_a_hosted_server()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(NodeTools.RepoRoot, "README.md"));
        Assert.That(readme, Does.Contain("node list-tools.mjs"), "README.md shows the example the test runs");

        var sdk = await TypeScriptSdk.InstallAsync();
        var script = Path.Combine(sdk, "list-tools.mjs");
        File.Copy(Path.Combine(NodeTools.RepoRoot, "examples/list-tools.mjs"), script, overwrite: true);
        var url = string.Create(CultureInfo.InvariantCulture, $"{TestHost.BaseUri.GetLeftPart(UriPartial.Authority)}/t/acme/every/mcp");

        var (code, output) = await NodeTools.RunAsync(await NodeTools.Node22Async(), [script, url, TestCredentials.AcmeUser], sdk, TimeSpan.FromMinutes(2));

        Assert.That(code, Is.Zero, output);
        Assert.That(output.Split('\n').Select(l => l.Split(':')[0]), Does.Contain("echo"), output);
    }
}
