using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Smcp.Orchestrator.Tests.OAuth.Server;

/// <summary>The proxy, the resource server, takes the built-in issuer's tokens for their own MCP endpoint only.</summary>
public sealed class ProxyAcceptanceTests
{
    private const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

    private AuthServerClient _as = null!;

    [OneTimeSetUp]
    public void Start() => _as = new AuthServerClient(OAuthHost.Smcp);

    private async Task<string> ServiceTokenAsync(string resource)
    {
        var service = await _as.AddServiceClientAsync();
        using var response = await _as.TokenAsync(new() { ["grant_type"] = "client_credentials", ["resource"] = resource }, service);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await AuthServerClient.JsonAsync(response))["access_token"]!.GetValue<string>();
    }

    private async Task<HttpResponseMessage> InitializeAsync(string path, string token)
    {
        using var http = _as.Smcp.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(Initialize, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        return await http.SendAsync(request);
    }

    [Test]
    public async Task A_token_for_an_endpoint_passes_the_proxys_credential_check_there_and_nowhere_else()
    {
        var token = await ServiceTokenAsync(_as.Resource(server: "notes"));

        using var own = await InitializeAsync("/t/acme/notes/mcp", token);
        using var other = await InitializeAsync("/t/acme/other/mcp", token);

        // Past the credential check, the proxy looks for the server, which this tenant has not deployed.
        Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), await own.Content.ReadAsStringAsync());
        Assert.That(await own.Content.ReadAsStringAsync(), Does.Contain("There is no MCP server"));
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the token's audience is the notes endpoint");
    }
}
