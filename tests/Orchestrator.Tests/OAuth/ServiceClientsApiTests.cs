using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using Smcp.Orchestrator.OAuth.Clients;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.OAuth;

/// <summary>The tenant-admin API for OAuth service clients (client_credentials), end to end on a real host and Postgres.</summary>
[NonParallelizable] // One host; the cap test fills a tenant the others leave alone, but they share the server's rate limits.
public sealed class ServiceClientsApiTests
{
    private SmcpServerFixture _smcp = null!;
    private string _acmeAdmin = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _smcp = await SmcpServerFixture.StartAsync("oauth_clients", """
            tenants:
              - id: acme
              - id: beta
              - id: full
                quotas: { requestsPerMinute: 1000 }
            """);
        _acmeAdmin = await CreateKeyAsync("acme", "tenant-admin");
    }

    [OneTimeTearDown]
    public async Task Stop() => await _smcp.DisposeAsync();

    private async Task<string> CreateKeyAsync(string tenant, string role)
    {
        using var client = _smcp.Client(SmcpServerFixture.AdminKey);
        var response = await client.PostAsJsonAsync($"/v1/tenants/{tenant}/keys", new { name = role + "-" + Guid.NewGuid().ToString("N")[..6], role });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>();

    private async Task<JsonObject> CreateClientAsync(string tenant, string key, string name)
    {
        using var client = _smcp.Client(key);
        var response = await client.PostAsJsonAsync($"/v1/tenants/{tenant}/oauth/clients", new { name });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<(byte[]? Hash, string Kind, string[] Grants, string AuthMethod, DateTime? RevokedAt)> RowAsync(string tenant, string clientId)
    {
        await using var connection = new NpgsqlConnection(_smcp.Database.SuperuserConnectionString);
        return await connection.QuerySingleAsync<(byte[]?, string, string[], string, DateTime?)>(
            "SELECT secret_hash, kind, grant_types, auth_method, revoked_at FROM oauth_clients WHERE tenant_id = @tenant AND client_id = @clientId",
            new { tenant, clientId });
    }

    [Test]
    public async Task A_created_client_shows_its_secret_once_and_stores_only_its_sha256()
    {
        var created = await CreateClientAsync("acme", _acmeAdmin, "billing-worker");
        var clientId = created["client_id"]!.GetValue<string>();
        var secret = created["client_secret"]!.GetValue<string>();

        Assert.That(clientId, Does.StartWith("svc_"));
        Assert.That(Convert.FromBase64String(secret.Replace('-', '+').Replace('_', '/') + "="), Has.Length.EqualTo(32));
        Assert.That(created["client_name"]!.GetValue<string>(), Is.EqualTo("billing-worker"));
        Assert.That(created["grant_types"]!.AsArray().Select(g => g!.GetValue<string>()), Is.EqualTo(new[] { "client_credentials" }));
        Assert.That(created["token_endpoint_auth_method"]!.GetValue<string>(), Is.EqualTo("client_secret_basic"));

        var row = await RowAsync("acme", clientId);
        Assert.That(row.Kind, Is.EqualTo("service"));
        Assert.That(row.Grants, Is.EqualTo(new[] { "client_credentials" }));
        Assert.That(row.AuthMethod, Is.EqualTo("client_secret_basic"));
        Assert.That(row.Hash, Is.EqualTo(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret))));
        Assert.That(row.Hash, Is.EqualTo(ServiceClientStore.HashSecret(secret)));
    }

    [Test]
    public async Task Listing_never_shows_a_secret_and_revoking_sets_revoked_at()
    {
        var created = await CreateClientAsync("acme", _acmeAdmin, "to-revoke");
        var clientId = created["client_id"]!.GetValue<string>();
        var secret = created["client_secret"]!.GetValue<string>();
        using var admin = _smcp.Client(_acmeAdmin);

        var listed = (await admin.GetFromJsonAsync<JsonArray>("/v1/tenants/acme/oauth/clients"))!;
        var entry = listed.Single(c => c!["client_id"]!.GetValue<string>() == clientId)!.AsObject();
        Assert.That(listed.ToJsonString(), Does.Not.Contain(secret));
        Assert.That(entry.ContainsKey("client_secret"), Is.False);
        Assert.That(entry.ContainsKey("secret_hash"), Is.False);
        Assert.That(entry["revoked_at"], Is.Null, "an active client has no revoked_at");

        Assert.That((await admin.DeleteAsync($"/v1/tenants/acme/oauth/clients/{clientId}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await RowAsync("acme", clientId)).RevokedAt, Is.Not.Null);
        listed = (await admin.GetFromJsonAsync<JsonArray>("/v1/tenants/acme/oauth/clients"))!;
        Assert.That(listed.Single(c => c!["client_id"]!.GetValue<string>() == clientId)!["revoked_at"], Is.Not.Null);

        var again = await admin.DeleteAsync($"/v1/tenants/acme/oauth/clients/{clientId}");
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await admin.DeleteAsync("/v1/tenants/acme/oauth/clients/svc_unknown")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_read_only_key_may_list_but_not_create_or_revoke()
    {
        var clientId = (await CreateClientAsync("acme", _acmeAdmin, "kept"))["client_id"]!.GetValue<string>();
        using var reader = _smcp.Client(await CreateKeyAsync("acme", "read-only"));

        Assert.That((await reader.GetAsync("/v1/tenants/acme/oauth/clients")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var create = await reader.PostAsJsonAsync("/v1/tenants/acme/oauth/clients", new { name = "sneaky" });
        Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await DetailAsync(create), Does.Contain("read-only"));
        Assert.That((await reader.DeleteAsync($"/v1/tenants/acme/oauth/clients/{clientId}")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await RowAsync("acme", clientId)).RevokedAt, Is.Null);
    }

    [Test]
    public async Task Another_tenants_key_is_refused_and_cannot_see_or_revoke_the_clients()
    {
        var clientId = (await CreateClientAsync("acme", _acmeAdmin, "private"))["client_id"]!.GetValue<string>();
        var betaAdmin = await CreateKeyAsync("beta", "tenant-admin");
        using var beta = _smcp.Client(betaAdmin);

        Assert.That((await beta.GetAsync("/v1/tenants/acme/oauth/clients")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await beta.PostAsJsonAsync("/v1/tenants/acme/oauth/clients", new { name = "x" })).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await beta.DeleteAsync($"/v1/tenants/acme/oauth/clients/{clientId}")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        // On its own path, beta's admin reaches only beta's rows (row-level security): acme's client is not there.
        Assert.That((await beta.DeleteAsync($"/v1/tenants/beta/oauth/clients/{clientId}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await beta.GetStringAsync("/v1/tenants/beta/oauth/clients")), Does.Not.Contain(clientId));
        Assert.That((await RowAsync("acme", clientId)).RevokedAt, Is.Null);
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("bad\nname")]
    public async Task A_missing_or_bad_name_is_400(string name)
    {
        using var admin = _smcp.Client(_acmeAdmin);
        var response = await admin.PostAsJsonAsync("/v1/tenants/acme/oauth/clients", new { name });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await DetailAsync(response), Does.Contain("name"));
    }

    [Test]
    public async Task A_name_over_100_characters_is_400()
    {
        using var admin = _smcp.Client(_acmeAdmin);
        var response = await admin.PostAsJsonAsync("/v1/tenants/acme/oauth/clients", new { name = new string('n', 101) });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task A_tenant_at_its_cap_of_active_clients_is_refused_with_409_until_one_is_revoked()
    {
        var admin = await CreateKeyAsync("full", "tenant-admin");
        string? first = null;
        for (var i = 0; i < ServiceClientStore.MaxActivePerTenant; i++)
        {
            var id = (await CreateClientAsync("full", admin, "worker-" + i))["client_id"]!.GetValue<string>();
            first ??= id;
        }

        using var client = _smcp.Client(admin);
        var refused = await client.PostAsJsonAsync("/v1/tenants/full/oauth/clients", new { name = "one-too-many" });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(await DetailAsync(refused), Does.Contain($"{ServiceClientStore.MaxActivePerTenant} active service clients"));

        Assert.That((await client.DeleteAsync($"/v1/tenants/full/oauth/clients/{first}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await client.PostAsJsonAsync("/v1/tenants/full/oauth/clients", new { name = "fits-again" })).StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    [Test]
    public async Task The_openapi_document_lists_the_service_client_paths()
    {
        using var client = _smcp.Client();
        var document = await client.GetStringAsync("/openapi/v1.json");
        Assert.That(document, Does.Contain("/v1/tenants/{tenant}/oauth/clients").And.Contain("/v1/tenants/{tenant}/oauth/clients/{clientId}").And.Contain("client_secret"));
    }
}
