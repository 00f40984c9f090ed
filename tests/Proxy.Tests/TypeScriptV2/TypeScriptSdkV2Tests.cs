using Smcp.Proxy.Tests.Support;

namespace Smcp.Proxy.Tests.TypeScriptV2;

/// <summary>
/// The official TypeScript SDK v2 client (<c>@modelcontextprotocol/client</c> 2.4.0) through the proxy: a 2026-07-28
/// connection to a server of that revision (calls, multi round-trip with requestState, subscriptions/listen), the same to an
/// older server SMCP bridges, and the client's default 2025 handshake to the 2026-07-28 server.
/// </summary>
public sealed class TypeScriptSdkV2Tests
{
    private static string SourceDir => Path.Combine(NodeTools.RepoRoot, "tests/Proxy.Tests/TypeScriptV2");

    [Test]
    public async Task The_v2_client_works_in_both_eras_and_against_an_older_server()
    {
        var node = await NodeTools.Node22Async();
        var sdk = await NodeTools.NpmCiAsync(SourceDir, "ts-sdk-v2");
        var (code, output) = await NodeTools.RunAsync(node,
            [Path.Combine(SourceDir, "client.mjs"), sdk, TestHost.Http("acme", "modern").Endpoint.ToString(), TestHost.Http("acme", "conf").Endpoint.ToString(), TestCredentials.AcmeUser],
            SourceDir, TimeSpan.FromMinutes(3));

        NodeTools.AssertChecks(code, output,
            "modern-era", "modern-list-tools", "modern-call", "modern-input-required", "modern-multi-round-request-state", "modern-listen-list-changed",
            "bridged-era", "bridged-call", "legacy-era", "legacy-call");
    }
}
