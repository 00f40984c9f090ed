using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.OAuth.External;

/// <summary>
/// A whole smcp trusting oidc-provider on loopback as an external issuer whose tokens name their tenant in
/// the claim <c>org</c>: its access tokens work on the mapped tenant's MCP URL and nowhere else.
/// </summary>
public sealed class ExternalIssuerTests
{
    private const string Initialize =
        """{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

    private ExternalIdp? _idp;
    private SmcpServerFixture? _smcp;

    private ExternalIdp Idp => _idp!;

    private SmcpServerFixture Smcp => _smcp!;

    private string Base => Smcp.BaseAddress.GetLeftPart(UriPartial.Authority);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _idp = await ExternalIdp.StartAsync();
        _smcp = await SmcpServerFixture.StartAsync("externalidp", $"""
            tenants:
              - id: acme
              - id: beta
            oauth:
              issuers:
                - issuer: {Idp.Issuer}
                  tenantClaim: org
                  allowHttp: true
            """);
        using var admin = Smcp.Client(SmcpServerFixture.AdminKey);
        await SmcpServerFixture.DeployAsync(admin);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_smcp is not null)
        {
            await _smcp.DisposeAsync();
        }

        if (_idp is not null)
        {
            await _idp.DisposeAsync();
        }
    }

    [Test]
    public async Task The_providers_token_for_acmes_server_opens_a_session_there_and_mcp_works()
    {
        var token = await Idp.TokenAsync("acme-service", Resource("acme"));

        using var initialize = await PostAsync("acme", token, null, Initialize);
        Assert.That(initialize.StatusCode, Is.EqualTo(HttpStatusCode.OK), await initialize.Content.ReadAsStringAsync());
        var session = initialize.Headers.GetValues("Mcp-Session-Id").Single();
        using var listed = await PostAsync("acme", token, session, """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""");

        Assert.That(listed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await listed.Content.ReadAsStringAsync(), Does.Contain("\"tools\""));
    }

    [Test]
    public async Task Acmes_token_is_refused_on_another_tenants_url()
    {
        var token = await Idp.TokenAsync("acme-service", Resource("acme"));

        using var response = await PostAsync("beta", token, null, Initialize);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.EndWith("error=\"invalid_token\""));
    }

    [Test]
    public async Task A_token_naming_the_other_tenants_resource_is_refused_when_its_tenant_claim_is_acme()
    {
        var forBeta = await Idp.TokenAsync("acme-service", Resource("beta"));
        var betasOwn = await Idp.TokenAsync("beta-service", Resource("beta"));

        using var refused = await PostAsync("beta", forBeta, null, Initialize);
        using var admitted = await PostAsync("beta", betasOwn, null, Initialize);

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(admitted.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "beta's own token passes admission; beta has no server 'notes'");
    }

    [Test]
    public async Task A_token_without_the_mcp_scope_gets_403_insufficient_scope()
    {
        var token = await Idp.TokenAsync("acme-service", Resource("acme"), scope: "other");

        using var response = await PostAsync("acme", token, null, Initialize);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer error=\"insufficient_scope\", scope=\"mcp\""));
    }

    [Test]
    public async Task Acmes_protected_resource_metadata_names_the_provider()
    {
        using var client = Smcp.Client();
        var metadata = JsonNode.Parse(await client.GetStringAsync("/.well-known/oauth-protected-resource/t/acme/notes/mcp"))!;
        var root = JsonNode.Parse(await client.GetStringAsync("/.well-known/oauth-protected-resource"))!;

        Assert.That(metadata["authorization_servers"]!.AsArray().Select(s => s!.GetValue<string>()), Does.Contain(Idp.Issuer));
        Assert.That(root["authorization_servers"]!.AsArray().Select(s => s!.GetValue<string>()), Does.Contain(Idp.Issuer));
    }

    private string Resource(string tenant) => $"{Base}/t/{tenant}/notes/mcp";

    private async Task<HttpResponseMessage> PostAsync(string tenant, string token, string? session, string json)
    {
        using var client = Smcp.Client(token);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/t/{tenant}/notes/mcp") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (session is not null)
        {
            request.Headers.Add("Mcp-Session-Id", session);
            request.Headers.Add("MCP-Protocol-Version", "2025-06-18");
        }

        return await client.SendAsync(request);
    }
}
