using System.Net;
using System.Text.Json.Nodes;

namespace Smcp.Orchestrator.Tests.OAuth.Server;

/// <summary><c>grant_type=client_credentials</c>: for service clients a tenant admin made, never for registered ones.</summary>
public sealed class ClientCredentialsTests
{
    private AuthServerClient _as = null!;

    [OneTimeSetUp]
    public void Start() => _as = new AuthServerClient(OAuthHost.Smcp);

    private Dictionary<string, string> Form() => new() { ["grant_type"] = "client_credentials", ["resource"] = _as.Resource() };

    [Test]
    public async Task A_service_client_authenticated_by_basic_gets_an_access_token_and_no_refresh_token()
    {
        var service = await _as.AddServiceClientAsync();

        using var response = await _as.TokenAsync(Form(), service);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var tokens = await AuthServerClient.JsonAsync(response);
        Assert.That(tokens.ContainsKey("refresh_token"), Is.False);
        var (_, claims) = await _as.DecodeAsync(tokens["access_token"]!.GetValue<string>());
        Assert.That(claims["sub"]!.GetValue<string>(), Is.EqualTo($"client:{service.Id}"));
        Assert.That(claims["client_id"]!.GetValue<string>(), Is.EqualTo(service.Id));
        Assert.That(claims["aud"]!.GetValue<string>(), Is.EqualTo(_as.Resource()));
        Assert.That(claims["smcp_tenant"]!.GetValue<string>(), Is.EqualTo("acme"));
    }

    [Test]
    public async Task A_service_client_may_send_its_secret_in_the_form()
    {
        var (id, secret) = await _as.AddServiceClientAsync(authMethod: "client_secret_post");
        var form = Form();
        form["client_id"] = id;
        form["client_secret"] = secret;

        using var response = await _as.TokenAsync(form);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_wrong_secret_is_401_invalid_client_with_a_basic_challenge()
    {
        var (id, _) = await _as.AddServiceClientAsync();

        using var response = await _as.TokenAsync(Form(), (id, "not-the-secret"));

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.That(response.Headers.WwwAuthenticate.Single().Scheme, Is.EqualTo("Basic"));
    }

    [Test]
    public async Task Basic_and_a_form_secret_together_are_invalid_request()
    {
        var service = await _as.AddServiceClientAsync();
        var form = Form();
        form["client_secret"] = service.Secret;

        using var response = await _as.TokenAsync(form, service);

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Test]
    public async Task A_registered_client_may_not_use_client_credentials()
    {
        var registered = await _as.RegisterAsync(new JsonObject
        {
            ["redirect_uris"] = new JsonArray(AuthServerClient.RedirectUri),
            ["token_endpoint_auth_method"] = "client_secret_basic",
        });

        using var response = await _as.TokenAsync(Form(), (registered["client_id"]!.GetValue<string>(), registered["client_secret"]!.GetValue<string>()));

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "unauthorized_client");
    }

    [Test]
    public async Task Without_a_resource_it_is_invalid_request()
    {
        var service = await _as.AddServiceClientAsync();

        using var response = await _as.TokenAsync(new() { ["grant_type"] = "client_credentials" }, service);

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [TestCase("beta", "notes")]
    [TestCase("acme", "Not_A_Server")]
    public async Task A_resource_that_is_not_an_mcp_endpoint_of_the_tenant_is_invalid_target(string tenant, string server)
    {
        var service = await _as.AddServiceClientAsync();
        var form = Form();
        form["resource"] = _as.Resource(tenant, server);

        using var response = await _as.TokenAsync(form, service);

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_target");
    }

    [Test]
    public async Task A_scope_beyond_the_clients_is_invalid_scope()
    {
        var service = await _as.AddServiceClientAsync();
        var form = Form();
        form["scope"] = "mcp offline_access";

        using var response = await _as.TokenAsync(form, service);

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_scope");
    }
}
