using System.Text.Json.Nodes;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Orchestrator.Tests.OAuth.Server;

/// <summary>openid-client from npm, a certified relying party no one here wrote, drives the tenant issuer: discovery, code + PKCE, refresh, revocation, client credentials.</summary>
public sealed class OpenIdClientTests
{
    public const string Version = "6.8.1";

    private AuthServerClient _as = null!;

    [OneTimeSetUp]
    public void Start() => _as = new AuthServerClient(OAuthHost.Smcp);

    private static async Task<string> InstallAsync()
    {
        var dir = Path.Combine(NodeTools.StateDir, "openid-client-" + Version);
        if (!File.Exists(Path.Combine(dir, "node_modules/openid-client/package.json")))
        {
            Directory.CreateDirectory(dir);
            var (code, output) = await NodeTools.RunAsync("npm", ["install", "--silent", "--no-audit", "--no-fund", $"openid-client@{Version}"], dir, TimeSpan.FromMinutes(5));
            Assert.That(code, Is.EqualTo(0), $"npm install openid-client@{Version} failed (is the npm registry reachable?): " + output);
        }

        // An ES module resolves packages next to itself, so the script runs from the install folder.
        var script = Path.Combine(dir, "rp.mjs");
        File.Copy(Path.Combine(NodeTools.RepoRoot, "tests/Orchestrator.Tests/OAuth/Server/openid-client-rp.mjs"), script, overwrite: true);
        return script;
    }

    [Test]
    public async Task Openid_client_discovers_redeems_refreshes_revokes_and_gets_a_service_token()
    {
        var node = await NodeTools.Node22Async();
        var script = await InstallAsync();
        var clientId = (await _as.RegisterAsync())["client_id"]!.GetValue<string>();
        var verifier = AuthServerClient.NewVerifier();
        var code = await _as.CodeAsync(clientId, await _as.AddUserAsync(), AuthServerClient.Challenge(verifier));
        var callback = $"{AuthServerClient.RedirectUri}?code={Uri.EscapeDataString(code)}&state=st-1&iss={Uri.EscapeDataString(_as.Issuer())}";
        var (serviceId, serviceSecret) = await _as.AddServiceClientAsync();

        var (exit, output) = await NodeTools.RunAsync(node, [script, _as.Issuer(), clientId, callback, verifier, "st-1", _as.Resource(), serviceId, serviceSecret],
            Path.GetDirectoryName(script)!, TimeSpan.FromMinutes(1));

        Assert.That(exit, Is.EqualTo(0), output);
        var result = JsonNode.Parse(output.Trim().Split('\n')[^1])!.AsObject();
        Assert.That(result["oidcIssuer"]!.GetValue<string>(), Is.EqualTo(_as.Issuer()));
        Assert.That(result["oauthIssuer"]!.GetValue<string>(), Is.EqualTo(_as.Issuer()));
        Assert.That(result["tokenType"]!.GetValue<string>(), Is.EqualTo("bearer"));
        Assert.That(result["refreshRotated"]!.GetValue<bool>(), Is.True);
        Assert.That(result["afterRevocation"]!.GetValue<string>(), Is.EqualTo("invalid_grant"));
        var (_, user) = await _as.DecodeAsync(result["accessToken"]!.GetValue<string>());
        Assert.That(user["client_id"]!.GetValue<string>(), Is.EqualTo(clientId));
        var (_, service) = await _as.DecodeAsync(result["serviceToken"]!.GetValue<string>());
        Assert.That(service["sub"]!.GetValue<string>(), Is.EqualTo($"client:{serviceId}"));
    }
}
