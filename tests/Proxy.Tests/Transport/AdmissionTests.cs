using System.Net;
using System.Text.Json.Nodes;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Proxy.Tests.Transport;

/// <summary>What is refused before any session or sandbox is touched: credentials, tenants, Origin, Host, Accept, versions, bodies.</summary>
public sealed class AdmissionTests
{
    private static McpHttp Http => TestHost.Http();

    [Test]
    public async Task Missing_credential_returns_401_with_resource_metadata_link()
    {
        using var response = await Http.SendAsync(Http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"), token: null));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(),
            Is.EqualTo($"Bearer resource_metadata=\"{TestHost.BaseUri.GetLeftPart(UriPartial.Authority)}/.well-known/oauth-protected-resource/t/acme/conf/mcp\", scope=\"mcp\""));
    }

    [Test]
    public async Task Unknown_credential_returns_401_with_invalid_token()
    {
        using var response = await Http.SendAsync(Http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"), token: "no-such-key"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.EndWith(", error=\"invalid_token\""));
    }

    [Test]
    public async Task A_quote_in_the_path_cannot_add_parameters_to_the_401_challenge()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(TestHost.BaseUri, "/t/acme/co%22%2C%20error%3D%22x/mcp"))
        {
            Content = new StringContent(McpHttp.InitializeBody("2025-11-25"), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Accept", "application/json, text/event-stream");
        using var response = await McpHttp.Shared.SendAsync(request);
        var challenge = response.Headers.WwwAuthenticate.ToString();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(challenge.Count(c => c == '"'), Is.EqualTo(4), challenge);
        Assert.That(challenge, Does.Not.Contain("error="));
    }

    [Test]
    public async Task The_401s_resource_metadata_link_answers_with_the_resource_and_the_header_as_the_only_bearer_method()
    {
        using var unauthorized = await Http.SendAsync(Http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"), token: null));
        var link = unauthorized.Headers.WwwAuthenticate.Single().Parameter!.Split('"')[1];

        using var client = new HttpClient();
        using var metadata = await client.GetAsync(link);
        using var document = System.Text.Json.JsonDocument.Parse(await metadata.Content.ReadAsStringAsync());

        Assert.That(metadata.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(document.RootElement.GetProperty("resource").GetString(), Is.EqualTo(new Uri(TestHost.BaseUri, "/t/acme/conf/mcp").ToString()));
        Assert.That(document.RootElement.GetProperty("bearer_methods_supported").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "header" }));
        Assert.That(document.RootElement.GetProperty("authorization_servers").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { TestIssuers.Issuer }));
    }

    [Test]
    public async Task Credential_of_another_tenant_returns_403()
    {
        using var response = await Http.SendAsync(Http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"), token: TestCredentials.OtherTenantUser));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Read_only_credential_may_not_use_mcp_and_gets_403()
    {
        using var response = await Http.SendAsync(Http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"), token: TestCredentials.AcmeReader));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Unknown_server_returns_404()
    {
        var http = TestHost.Http("acme", "nothing-here");
        using var response = await http.SendAsync(http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25")));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Suspended_tenant_returns_403_saying_so()
    {
        var http = TestHost.Http("frozen", "conf");
        using var response = await http.SendAsync(http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"), token: TestCredentials.Admin));
        var error = await ErrorAsync(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(error["message"]!.GetValue<string>(), Is.EqualTo("Tenant 'frozen' is suspended; its MCP servers cannot be used."));
    }

    [Test]
    public async Task Origin_not_allowed_returns_403()
    {
        using var request = Http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"));
        request.Headers.Add("Origin", "https://evil.example");
        using var response = await Http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Only_the_proxys_own_origin_and_the_listed_ones_pass_another_loopback_origin_is_403()
    {
        // A ping without a session gets past the Origin check and is then refused for the missing session: no sandbox is started.
        async Task<HttpStatusCode> StatusWith(string? origin)
        {
            using var request = Http.Request(HttpMethod.Post, """{"jsonrpc":"2.0","id":1,"method":"ping"}""");
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }

            using var response = await Http.SendAsync(request);
            return response.StatusCode;
        }

        var own = TestHost.BaseUri.GetLeftPart(UriPartial.Authority);
        var otherPort = $"http://{TestHost.BaseUri.Host}:{(TestHost.BaseUri.Port == 6274 ? 6275 : 6274)}";
        var admitted = await StatusWith(null);
        Assert.That(admitted, Is.Not.EqualTo(HttpStatusCode.Forbidden));

        var (ownStatus, listedStatus, otherPortStatus, bareLoopbackStatus) =
            (await StatusWith(own), await StatusWith(TestHost.AllowedOrigin), await StatusWith(otherPort), await StatusWith("http://localhost"));
        Assert.Multiple(() =>
        {
            Assert.That(ownStatus, Is.EqualTo(admitted), "the proxy's own origin");
            Assert.That(listedStatus, Is.EqualTo(admitted), "a listed origin");
            Assert.That(otherPortStatus, Is.EqualTo(HttpStatusCode.Forbidden), "a page on another loopback port (the Inspector's web UI, say) is another origin");
            Assert.That(bareLoopbackStatus, Is.EqualTo(HttpStatusCode.Forbidden), "a loopback origin is not trusted for being loopback");
        });
    }

    [Test]
    public async Task Host_other_than_localhost_on_a_loopback_listener_returns_403()
    {
        using var request = Http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"));
        request.Headers.Host = "rebound.example:80";
        using var response = await Http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Accept_without_event_stream_returns_406()
    {
        using var response = await Http.SendAsync(Http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"), accept: "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotAcceptable));
    }

    [Test]
    public async Task Unsupported_protocol_version_returns_400()
    {
        using var response = await Http.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", "any", version: "1999-01-01");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Malformed_json_returns_400_with_parse_error()
    {
        using var response = await Http.PostAsync("{\"jsonrpc\":", null);
        var error = await ErrorAsync(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(error["code"]!.GetValue<int>(), Is.EqualTo(-32700));
    }

    [Test]
    public async Task Json_that_is_not_json_rpc_returns_400_with_invalid_request()
    {
        using var response = await Http.PostAsync("""{"jsonrpc":"1.0","id":1,"method":"ping"}""", null);
        var error = await ErrorAsync(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(error["code"]!.GetValue<int>(), Is.EqualTo(-32600));
    }

    [Test]
    public async Task Body_over_the_limit_returns_413_with_json_rpc_error()
    {
        var big = new string('x', 300 * 1024);
        using var response = await Http.PostAsync($$$"""{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"{{{big}}}"}}""", null);
        var error = await ErrorAsync(response);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(error["code"]!.GetValue<int>(), Is.EqualTo(-32600));
    }

    [Test]
    public async Task Request_without_session_id_after_initialize_returns_400()
    {
        using var response = await Http.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Unknown_session_id_returns_404()
    {
        using var response = await Http.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", "no-such-session");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    internal static async Task<JsonObject> ErrorAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.AsObject();
}
