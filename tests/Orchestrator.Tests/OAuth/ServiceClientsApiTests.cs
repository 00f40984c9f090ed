using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.OAuth;

/// <summary>A tenant admin makes, lists and revokes service clients through the tenant API.</summary>
public sealed class ServiceClientsApiTests
{
    private AuthServerClient _as = null!;

    [OneTimeSetUp]
    public void Start() => _as = new AuthServerClient(OAuthHost.Smcp);

    private async Task<JsonObject> CreateAsync(object body)
    {
        using var admin = _as.Smcp.Client(SmcpServerFixture.AdminKey);
        using var response = await admin.PostAsJsonAsync("/v1/tenants/acme/oauth/clients", body);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return await AuthServerClient.JsonAsync(response);
    }

    private Task<HttpResponseMessage> ServiceTokenAsync(string id, string secret) =>
        _as.TokenAsync(new() { ["grant_type"] = "client_credentials", ["resource"] = _as.Resource() }, (id, secret));

    [Test]
    public async Task A_service_client_made_through_the_api_gets_tokens_until_it_is_revoked()
    {
        var created = await CreateAsync(new { name = "nightly job" });
        var (id, secret) = (created["clientId"]!.GetValue<string>(), created["clientSecret"]!.GetValue<string>());

        using (var granted = await ServiceTokenAsync(id, secret))
        {
            Assert.That(granted.StatusCode, Is.EqualTo(HttpStatusCode.OK), await granted.Content.ReadAsStringAsync());
        }

        using var admin = _as.Smcp.Client(SmcpServerFixture.AdminKey);
        var listed = (await admin.GetFromJsonAsync<JsonArray>("/v1/tenants/acme/oauth/clients"))!.Single(c => c!["clientId"]!.GetValue<string>() == id)!.AsObject();
        Assert.That(listed["kind"]!.GetValue<string>(), Is.EqualTo("service"));
        Assert.That(listed.ToJsonString(), Does.Not.Contain(secret));
        Assert.That((await admin.DeleteAsync($"/v1/tenants/acme/oauth/clients/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        using var refused = await ServiceTokenAsync(id, secret);
        await AuthServerClient.AssertErrorAsync(refused, HttpStatusCode.Unauthorized, "invalid_client");
        Assert.That((await admin.DeleteAsync($"/v1/tenants/acme/oauth/clients/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_tenant_user_key_cannot_make_service_clients()
    {
        using var admin = _as.Smcp.Client(SmcpServerFixture.AdminKey);
        using var made = await admin.PostAsJsonAsync("/v1/tenants/acme/keys", new { name = "user-" + Guid.NewGuid().ToString("N")[..6], role = "tenant-user" });
        using var user = _as.Smcp.Client((await made.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>());

        using var response = await user.PostAsJsonAsync("/v1/tenants/acme/oauth/clients", new { name = "x" });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task A_service_client_without_a_secret_or_beyond_the_mcp_scope_is_refused()
    {
        using var admin = _as.Smcp.Client(SmcpServerFixture.AdminKey);

        Assert.That((await admin.PostAsJsonAsync("/v1/tenants/acme/oauth/clients", new { authMethod = "none" })).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((await admin.PostAsJsonAsync("/v1/tenants/acme/oauth/clients", new { scope = "mcp admin" })).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }
}
