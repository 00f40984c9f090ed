using Smcp.Proxy.Tests.Support;

namespace Smcp.Proxy.Tests.TypeScript;

/// <summary>
/// Runs <c>client.mjs</c> (the official TypeScript SDK client) under Node 22 against an MCP URL of the test host.
/// The SDK is installed with <c>npm ci</c> from this folder's lock file into a cache folder keyed by the lock file's hash.
/// </summary>
internal static class TypeScriptSdk
{
    private static string SourceDir => Path.Combine(NodeTools.RepoRoot, "tests/Proxy.Tests/TypeScript");

    /// <summary>Runs one case of the script and asserts every expected check ran and passed, each with its own message.</summary>
    public static async Task AssertCaseAsync(string url, string caseName, params string[] expectedChecks)
    {
        var node = await NodeTools.Node22Async();
        var sdk = await InstallAsync();
        var script = Path.Combine(SourceDir, "client.mjs");
        var (code, output) = await NodeTools.RunAsync(node, [script, sdk, url, TestCredentials.AcmeUser, caseName], SourceDir, TimeSpan.FromMinutes(4));
        NodeTools.AssertChecks(code, output, expectedChecks);
    }

    /// <summary>The folder that holds node_modules with the pinned SDK; installed once per lock file.</summary>
    internal static Task<string> InstallAsync() => NodeTools.NpmCiAsync(SourceDir, "ts-sdk");
}
