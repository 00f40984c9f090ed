using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Smcp.Orchestrator.OAuth.Users;
using Smcp.Orchestrator.Tests.OAuth.Support;
using Smcp.Orchestrator.Tests.Support;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Orchestrator.Tests.OAuth.Clients;

/// <summary>
/// Clients no one here wrote, through SMCP's own authorization server end to end: the official TypeScript and C# SDK
/// clients' OAuth flows (discovery from the 401, dynamic registration or a client ID metadata document, PKCE, a tool call
/// through the proxy, refresh) and openid-client, a certified relying party. One host and one deployed server for all.
/// </summary>
public sealed class OAuthClientTests
{
    private const string Email = "ada@acme.example";
    private const string Password = "correct horse battery staple";

    private SmcpServerFixture _smcp = null!;
    private MetadataDocumentServer _documents = null!;
    private string _mcpUrl = null!;
    private const string RedirectUrl = MetadataDocumentServer.RedirectUri;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _documents = await MetadataDocumentServer.StartAsync();
        _smcp = await SmcpServerFixture.StartAsync("oauthclients", $$"""
            oauth:
              clientMetadataDocuments: { allowPrivateAddresses: true, trustedCertificatesFile: "{{_documents.CertificateFile}}" }
            tenants:
              - id: acme
            """);
        using var admin = _smcp.Client(SmcpServerFixture.AdminKey);
        await SmcpServerFixture.DeployAsync(admin, "smcp-test/everything:test", "acme", "notes");
        await _smcp.Services.GetRequiredService<UserStore>().CreateAsync("acme", Email, Password, CancellationToken.None);
        _mcpUrl = new Uri(_smcp.BaseAddress, "/t/acme/notes/mcp").ToString();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _smcp.DisposeAsync();
        await _documents.DisposeAsync();
    }

    [Test]
    public Task TypeScript_sdk_client_registers_dynamically_signs_in_calls_a_tool_and_refreshes() =>
        RunScriptAsync(new() { ["case"] = "sdk" }, SdkChecks);

    [Test]
    public Task TypeScript_sdk_client_with_a_metadata_document_signs_in_calls_a_tool_and_refreshes() =>
        RunScriptAsync(new() { ["case"] = "sdk", ["clientMetadataUrl"] = _documents.Url("/good/ts.json") }, SdkChecks);

    [Test]
    public async Task Openid_client_discovers_registers_exchanges_refreshes_revokes_and_gets_a_service_token()
    {
        using var admin = _smcp.Client(SmcpServerFixture.AdminKey);
        var service = await (await admin.PostAsJsonAsync("/v1/tenants/acme/oauth/clients", new { name = "openid-client-service" })).Content.ReadFromJsonAsync<JsonObject>();
        await RunScriptAsync(new()
        {
            ["case"] = "openid-client",
            ["resourceMetadataUrl"] = new Uri(_smcp.BaseAddress, "/.well-known/oauth-protected-resource/t/acme/notes/mcp").ToString(),
            ["serviceClientId"] = service!["client_id"]!.GetValue<string>(),
            ["serviceClientSecret"] = service["client_secret"]!.GetValue<string>(),
        }, "discovery-rfc8414", "discovery-oidc", "registration", "code-grant", "token-works-on-mcp", "refresh", "revoked-refresh-refused",
            "client-credentials", "service-token-works-on-mcp");
    }

    [Test]
    public Task Csharp_sdk_client_registers_dynamically_signs_in_calls_a_tool_and_refreshes() => CsharpSdkFlowAsync(null);

    [Test]
    public Task Csharp_sdk_client_with_a_metadata_document_signs_in_calls_a_tool_and_refreshes() =>
        CsharpSdkFlowAsync(new Uri(_documents.Url("/good/csharp.json")));

    private static readonly string[] SdkChecks =
        ["unauthorized-first", "authorization-url", "client-id", "redirect-state-iss", "tokens", "tool-call", "refresh", "tool-call-after-refresh"];

    private async Task CsharpSdkFlowAsync(Uri? metadataDocument)
    {
        var tokens = new ExpirableTokenCache();
        var signIns = 0;
        using var browser = new SignInBrowser();
        var oauth = new ClientOAuthOptions
        {
            RedirectUri = new Uri(RedirectUrl),
            ClientMetadataDocumentUri = metadataDocument,
            DynamicClientRegistration = new DynamicClientRegistrationOptions { ClientName = "smcp-csharp-sdk-tests" },
            TokenCache = tokens,
            AuthorizationCallbackHandler = async (context, cancellationToken) =>
            {
                signIns++;
                var redirect = await browser.AuthorizeAsync(context.AuthorizationUri, Email, Password, cancellationToken: cancellationToken);
                var query = System.Web.HttpUtility.ParseQueryString(redirect.Query);
                return new AuthorizationResult { Code = query["code"], State = query["state"], Iss = query["iss"] };
            },
        };
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(_mcpUrl), TransportMode = HttpTransportMode.StreamableHttp, OAuth = oauth,
        });
        await using var client = await McpClient.CreateAsync(transport, new McpClientOptions { InitializationTimeout = TimeSpan.FromMinutes(3) });

        var echoed = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "through oauth" });
        Assert.That(Text(echoed), Does.Contain("through oauth"));
        var first = tokens.Current!;
        if (metadataDocument is not null)
        {
            Assert.That(JwtClaim(first.AccessToken, "client_id"), Is.EqualTo(metadataDocument.ToString()), "the metadata document's URL is the client id");
        }

        tokens.Expire();
        var again = await client.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "after refresh" });

        Assert.That(Text(again), Does.Contain("after refresh"));
        Assert.That(tokens.Current!.AccessToken, Is.Not.EqualTo(first.AccessToken), "the expired token was refreshed");
        Assert.That(tokens.Current.RefreshToken, Is.Not.EqualTo(first.RefreshToken), "refresh tokens rotate");
        Assert.That(signIns, Is.EqualTo(1), "refreshing needs no second sign-in");
    }

    private async Task RunScriptAsync(Dictionary<string, string> settings, params string[] expectedChecks)
    {
        settings["mcpUrl"] = _mcpUrl;
        settings["redirectUrl"] = RedirectUrl;
        settings["username"] = Email;
        settings["password"] = Password;
        var source = Path.Combine(NodeTools.RepoRoot, "tests/Orchestrator.Tests/OAuth/Clients");
        var node = await NodeTools.Node22Async();
        var install = await NodeTools.NpmCiAsync(source, "oauth-clients");
        var (code, output) = await NodeTools.RunAsync(node, [Path.Combine(source, "oauth-clients.mjs"), install, JsonSerializer.Serialize(settings)], source, TimeSpan.FromMinutes(4));
        NodeTools.AssertChecks(code, output, expectedChecks);
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    private static string? JwtClaim(string jwt, string claim) =>
        JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(jwt.Split('.')[1]))?[claim]?.GetValue<string>();

    /// <summary>The SDK's token cache, with a way to make the held access token look expired so the next request refreshes it.</summary>
    private sealed class ExpirableTokenCache : ITokenCache
    {
        public TokenContainer? Current { get; private set; }

        public void Expire() => Current!.ObtainedAt = DateTimeOffset.UtcNow.AddDays(-1);

        public ValueTask StoreTokensAsync(TokenContainer tokens, CancellationToken cancellationToken)
        {
            Current = tokens;
            return ValueTask.CompletedTask;
        }

        public ValueTask<TokenContainer?> GetTokensAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Current);
    }
}
