using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Api;

/// <summary>The tenant and admin API end to end: real host, real Postgres, real dockerd.</summary>
[NonParallelizable] // The tests build on each other's state (keys, images, servers) in one host.
public sealed class TenantApiTests
{
    private SmcpServerFixture _smcp = null!;
    private string _acmeAdmin = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _smcp = await SmcpServerFixture.StartAsync("api", """
            tenants:
              - id: acme
                quotas: { maxServers: 1, maxImageBytes: 64Mi }
              - id: beta
              - id: tiny
                quotas: { maxImageBytes: 1Mi }
              - id: frozen
                status: suspended
              - id: slow
                quotas: { requestsPerMinute: 3 }
            """);
        _acmeAdmin = await CreateKeyAsync("acme", "tenant-admin");
    }

    [OneTimeTearDown]
    public async Task Stop() => await _smcp.DisposeAsync();

    private async Task<string> CreateKeyAsync(string tenant, string role, string? key = null)
    {
        using var client = _smcp.Client(key ?? SmcpServerFixture.AdminKey);
        var response = await client.PostAsJsonAsync($"/v1/tenants/{tenant}/keys", new { name = role + "-" + Guid.NewGuid().ToString("N")[..6], role });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
    }

    private static async Task<JsonObject> ProblemAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;

    [Test]
    public async Task No_credential_or_an_unknown_key_is_401_with_a_reason()
    {
        using var anonymous = _smcp.Client();
        var response = await anonymous.GetAsync("/v1/tenants/acme/servers");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await ProblemAsync(response))["detail"]!.GetValue<string>(), Does.Contain("Authorization: Bearer"));

        using var forged = _smcp.Client("smcp_acme_" + new string('A', 43));
        Assert.That((await forged.GetAsync("/v1/tenants/acme/servers")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_key_of_one_tenant_on_another_tenants_path_is_403()
    {
        using var client = _smcp.Client(_acmeAdmin);
        var response = await client.GetAsync("/v1/tenants/beta/servers");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await ProblemAsync(response))["detail"]!.GetValue<string>(), Does.Contain("another tenant"));
    }

    [Test]
    public async Task Roles_limit_what_a_key_may_do_and_a_revoked_key_stops_at_once()
    {
        var reader = await CreateKeyAsync("acme", "read-only", _acmeAdmin);
        var user = await CreateKeyAsync("acme", "tenant-user", _acmeAdmin);
        using (var client = _smcp.Client(reader))
        {
            Assert.That((await client.GetAsync("/v1/tenants/acme/keys")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var write = await client.PostAsJsonAsync("/v1/tenants/acme/keys", new { name = "x" });
            Assert.That(write.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((await ProblemAsync(write))["detail"]!.GetValue<string>(), Does.Contain("read-only"));
        }

        using (var client = _smcp.Client(user))
        {
            Assert.That((await client.GetAsync("/v1/tenants/acme/keys")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "tenant-user keys are for MCP only");
        }

        using var admin = _smcp.Client(_acmeAdmin);
        var keys = await admin.GetFromJsonAsync<JsonArray>("/v1/tenants/acme/keys");
        Assert.That(keys!.ToJsonString(), Does.Not.Contain("smcp_acme_"), "listing never shows a key");
        var readerId = keys.Single(k => k!["role"]!.GetValue<string>() == "read-only")!["id"]!.GetValue<string>();
        Assert.That((await admin.DeleteAsync($"/v1/tenants/acme/keys/{readerId}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        using var revoked = _smcp.Client(reader);
        Assert.That((await revoked.GetAsync("/v1/tenants/acme/keys")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_suspended_tenant_is_refused()
    {
        using var admin = _smcp.Client(SmcpServerFixture.AdminKey);
        var response = await admin.GetAsync("/v1/tenants/frozen/servers");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await ProblemAsync(response))["detail"]!.GetValue<string>(), Does.Contain("suspended"));
    }

    [Test]
    public async Task Upload_deploy_secrets_and_the_server_quota()
    {
        using var client = _smcp.Client(_acmeAdmin);
        using var body = new ByteArrayContent(await SmcpServerFixture.SaveImageAsync("smcp-test/conformance:test"));
        body.Headers.ContentType = new("application/x-tar");
        var upload = await client.PostAsync("/v1/tenants/acme/images?server=notes", body);
        Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.Created), await upload.Content.ReadAsStringAsync());
        var image = (await upload.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.That(image["reference"]!.GetValue<string>(), Does.StartWith("smcp/acme/notes:"));
        Assert.That(image["vetting"]!["verdict"]!.GetValue<string>(), Is.EqualTo("accept"));

        var deploy = await client.PutAsJsonAsync("/v1/tenants/acme/servers/notes", new { image = image["image"]!.GetValue<string>(), env = new { LOG_LEVEL = "warn" } });
        Assert.That(deploy.StatusCode, Is.EqualTo(HttpStatusCode.OK), await deploy.Content.ReadAsStringAsync());
        Assert.That((await deploy.Content.ReadFromJsonAsync<JsonObject>())!["url"]!.GetValue<string>(), Is.EqualTo("/t/acme/notes/mcp"));

        var second = await client.PutAsJsonAsync("/v1/tenants/acme/servers/other", new { image = image["image"]!.GetValue<string>() });
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await ProblemAsync(second))["detail"]!.GetValue<string>(), Does.Contain("maxServers"));

        var secret = await client.PutAsJsonAsync("/v1/tenants/acme/servers/notes/secrets/API_TOKEN", new { value = "s3cr3t-value" });
        Assert.That(secret.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var names = await client.GetStringAsync("/v1/tenants/acme/servers/notes/secrets");
        Assert.That(names, Is.EqualTo("[\"API_TOKEN\"]"));
        var server = await client.GetStringAsync("/v1/tenants/acme/servers/notes");
        Assert.That(server, Does.Not.Contain("s3cr3t-value"));

        var inUse = await client.DeleteAsync($"/v1/tenants/acme/images/{image["image"]!.GetValue<string>()}");
        Assert.That(inUse.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task Images_servers_and_secrets_are_listed_read_and_deleted_and_the_audit_pages()
    {
        using var client = _smcp.Client(await CreateKeyAsync("beta", "tenant-admin"));
        using var body = new ByteArrayContent(await SmcpServerFixture.SaveImageAsync("smcp-test/conformance:test"));
        var upload = await client.PostAsync("/v1/tenants/beta/images?server=svc", body);
        Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.Created), await upload.Content.ReadAsStringAsync());
        var image = (await upload.Content.ReadFromJsonAsync<JsonObject>())!["image"]!.GetValue<string>();
        var images = await client.GetFromJsonAsync<JsonArray>("/v1/tenants/beta/images");
        Assert.That(images!.Select(i => i!["image"]!.GetValue<string>()), Is.EqualTo(new[] { image }));

        Assert.That((await client.PutAsJsonAsync("/v1/tenants/beta/servers/svc", new { image, args = new[] { "--verbose" } })).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var server = await client.GetFromJsonAsync<JsonObject>("/v1/tenants/beta/servers/svc");
        Assert.That(server!["args"]![0]!.GetValue<string>(), Is.EqualTo("--verbose"));
        Assert.That((await client.GetFromJsonAsync<JsonArray>("/v1/tenants/beta/servers"))!.Count, Is.EqualTo(1));

        Assert.That((await client.PutAsJsonAsync("/v1/tenants/beta/servers/svc/secrets/TOKEN", new { value = "x" })).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await client.DeleteAsync("/v1/tenants/beta/servers/svc/secrets/TOKEN")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await client.DeleteAsync("/v1/tenants/beta/servers/svc/secrets/TOKEN")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await client.DeleteAsync("/v1/tenants/beta/servers/svc")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await client.GetAsync("/v1/tenants/beta/servers/svc")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await client.DeleteAsync($"/v1/tenants/beta/images/{image}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(await client.GetFromJsonAsync<JsonArray>("/v1/tenants/beta/images"), Is.Empty);

        var first = await client.GetFromJsonAsync<JsonObject>("/v1/tenants/beta/audit?limit=2");
        var next = first!["next"]!.GetValue<long>();
        var second = await client.GetFromJsonAsync<JsonObject>($"/v1/tenants/beta/audit?after={next}&limit=2");
        Assert.That(first["entries"]!.AsArray().Select(e => e!["seq"]!.GetValue<long>()), Is.EqualTo(new[] { 1L, 2L }));
        Assert.That(second!["entries"]!.AsArray().Select(e => e!["seq"]!.GetValue<long>()), Is.EqualTo(new[] { 3L, 4L }));
    }

    [Test]
    public async Task An_image_with_a_setuid_file_is_rejected_with_the_finding()
    {
        using var client = _smcp.Client(SmcpServerFixture.AdminKey);
        using var body = new ByteArrayContent(await SmcpServerFixture.SaveImageAsync("smcp-test/probe:test"));
        var response = await client.PostAsync("/v1/tenants/beta/images", body);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        var problem = await ProblemAsync(response);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("probe-suid"));
        Assert.That(problem["vetting"]!["verdict"]!.GetValue<string>(), Is.EqualTo("reject"));
    }

    [Test]
    public async Task An_oversize_upload_is_cut_off_at_the_quota_and_a_corrupt_one_refused()
    {
        using var client = _smcp.Client(SmcpServerFixture.AdminKey);
        var oversize = await client.PostAsync("/v1/tenants/tiny/images", new ByteArrayContent(new byte[3 * 1024 * 1024]));
        Assert.That(oversize.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That((await ProblemAsync(oversize))["detail"]!.GetValue<string>(), Does.Contain("over the limit of 1048576 bytes"));

        var garbage = new byte[64 * 1024];
        new Random(3).NextBytes(garbage);
        var corrupt = await client.PostAsync("/v1/tenants/tiny/images", new ByteArrayContent(garbage));
        Assert.That(corrupt.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
    }

    [Test]
    public async Task The_request_rate_quota_answers_429_with_retry_after()
    {
        using var client = _smcp.Client(SmcpServerFixture.AdminKey);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 4; i++)
        {
            last = await client.GetAsync("/v1/tenants/slow/servers");
            statuses.Add(last.StatusCode);
        }

        Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        Assert.That(last!.Headers.RetryAfter, Is.Not.Null);
    }

    [Test]
    public async Task Control_plane_actions_are_audited_and_the_chain_verifies()
    {
        await CreateKeyAsync("beta", "tenant-user");
        using var admin = _smcp.Client(SmcpServerFixture.AdminKey);
        var page = await admin.GetFromJsonAsync<JsonObject>("/v1/tenants/beta/audit");
        var actions = page!["entries"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).ToList();
        Assert.That(actions, Does.Contain("key.create"));
        var verify = await admin.GetFromJsonAsync<JsonObject>("/v1/tenants/beta/audit/verify");
        Assert.That(verify!["intact"]!.GetValue<bool>(), Is.True, verify.ToJsonString());
        Assert.That(verify["rowsChecked"]!.GetValue<long>(), Is.EqualTo(actions.Count));
    }

    [Test]
    public async Task The_cli_verifies_a_tenants_audit_chain_and_checks_a_config_file()
    {
        await CreateKeyAsync("tiny", "read-only");
        var smcp = Path.Combine(AppContext.BaseDirectory, "smcp.dll");

        var (verifyExit, verifyOutput) = await SmcpServerFixture.RunAsync("dotnet", $"{smcp} audit verify --tenant tiny --config {_smcp.ConfigPath}");
        Assert.That(verifyExit, Is.Zero, verifyOutput);
        Assert.That(verifyOutput, Does.StartWith("tiny: intact ("));

        var (checkExit, checkOutput) = await SmcpServerFixture.RunAsync("dotnet", $"{smcp} config check {_smcp.ConfigPath}");
        Assert.That(checkExit, Is.Zero, checkOutput);
        Assert.That(checkOutput, Does.Contain("OK (5 tenants)"));
    }

    [Test]
    public async Task Only_the_platform_admin_lists_tenants_with_status_and_usage()
    {
        using var tenantAdmin = _smcp.Client(_acmeAdmin);
        Assert.That((await tenantAdmin.GetAsync("/v1/admin/tenants")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        using var admin = _smcp.Client(SmcpServerFixture.AdminKey);
        var tenants = await admin.GetFromJsonAsync<JsonArray>("/v1/admin/tenants");
        var frozen = tenants!.Single(t => t!["id"]!.GetValue<string>() == "frozen")!;
        Assert.That(frozen["status"]!.GetValue<string>(), Is.EqualTo("suspended"));
        Assert.That(tenants!.Select(t => t!["id"]!.GetValue<string>()), Is.EquivalentTo(new[] { "acme", "beta", "tiny", "frozen", "slow" }));
    }

    [Test]
    public async Task The_openapi_document_lists_the_contract_paths()
    {
        using var client = _smcp.Client();
        var document = await client.GetStringAsync("/openapi/v1.json");
        Assert.That(document, Does.Contain("/v1/tenants/{tenant}/images").And.Contain("/v1/tenants/{tenant}/servers/{server}/secrets/{name}")
            .And.Contain("/v1/admin/tenants").And.Contain("/v1/tenants/{tenant}/audit/verify"));
    }

    [TestCase("PATCH", "/v1/tenants/acme/servers", null, HttpStatusCode.MethodNotAllowed)]
    [TestCase("GET", "/v1/tenants/acme/nothing-here", null, HttpStatusCode.NotFound)]
    [TestCase("POST", "/v1/tenants/acme/keys", "text/plain", HttpStatusCode.UnsupportedMediaType)]
    public async Task A_refusal_the_framework_makes_itself_carries_a_problem_detail(string method, string path, string? contentType, HttpStatusCode status)
    {
        using var client = _smcp.Client(_acmeAdmin);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (contentType is not null)
        {
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, contentType);
        }

        var response = await client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(status));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That((await ProblemAsync(response))["title"]?.GetValue<string>(), Is.Not.Empty);
    }
}
