using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Api;

/// <summary>Tenant B's credentials against tenant A's live sessions, images, audit, secrets and sessions, on one real host where both have running servers.</summary>
[NonParallelizable] // The probes share one host, its two deployed servers and A's live session.
public sealed class CrossTenantProbeTests
{
    private const string AcmeUrl = "/t/acme/notes/mcp";
    private const string BetaUrl = "/t/beta/notes/mcp";
    private const string AcmeSecretValue = "acme-only-secret-value-5f1c";

    private SmcpServerFixture _smcp = null!;
    private string _acmeAdmin = null!;
    private string _acmeUser = null!;
    private string _betaAdmin = null!;
    private string _betaUser = null!;
    private string _acmeImage = null!;
    private string _acmeSession = null!;
    private string _betaSession = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _smcp = await SmcpServerFixture.StartAsync("crosstenant", """
            tenants:
              - id: acme
              - id: beta
            """);
        using var admin = _smcp.Client(SmcpServerFixture.AdminKey);
        _acmeUser = await SmcpServerFixture.DeployAsync(admin, "smcp-test/conformance:test", "acme", "notes");
        _betaUser = await SmcpServerFixture.DeployAsync(admin, "smcp-test/hostile:test", "beta", "notes");
        _acmeAdmin = await HostMcp.CreateKeyAsync(admin, "acme", "tenant-admin");
        _betaAdmin = await HostMcp.CreateKeyAsync(admin, "beta", "tenant-admin");
        _acmeImage = (await admin.GetFromJsonAsync<JsonArray>("/v1/tenants/acme/images"))!.Single()!["image"]!.GetValue<string>();
        Assert.That((await admin.PutAsJsonAsync("/v1/tenants/acme/servers/notes/secrets/ACME_TOKEN", new { value = AcmeSecretValue })).StatusCode,
            Is.EqualTo(HttpStatusCode.NoContent));
        _acmeSession = await InitializeAsync(_acmeUser, AcmeUrl);
        _betaSession = await InitializeAsync(_betaUser, BetaUrl);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _smcp.DisposeAsync();

    [Test]
    public async Task Another_tenants_key_with_a_live_session_id_is_refused_on_both_urls_and_never_reaches_the_sandbox()
    {
        using var beta = _smcp.Client(_betaUser);
        var probe = HostMcp.ToolCall(41, "cross-tenant-probe");

        var onOwnUrl = await SmcpServerFixture.PostMcpAsync(beta, _acmeSession, probe, BetaUrl);
        var onAcmeUrl = await SmcpServerFixture.PostMcpAsync(beta, _acmeSession, probe, AcmeUrl);
        using var request = new HttpRequestMessage(HttpMethod.Delete, AcmeUrl);
        request.Headers.Add("Mcp-Session-Id", _acmeSession);
        var deleteOnAcmeUrl = await beta.SendAsync(request);

        Assert.That(onOwnUrl.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "a session id of another tenant is unknown on the key's own URL");
        Assert.That(onAcmeUrl.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "the key's tenant is not the URL's tenant");
        Assert.That(deleteOnAcmeUrl.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "nor can it end the session");
        using var acme = _smcp.Client(_acmeUser);
        var after = await SmcpServerFixture.PostMcpAsync(acme, _acmeSession, HostMcp.ToolCall(42, "echo", "still-mine"), AcmeUrl);
        Assert.That(await after.Content.ReadAsStringAsync(), Does.Contain("still-mine"), "acme's session is untouched");
        var targets = await AuditTargetsAfterAsync("acme", "echo");
        Assert.That(targets, Does.Not.Contain("cross-tenant-probe"), "nothing of the probe reached acme's session or sandbox");
    }

    [Test]
    public async Task Another_tenant_cannot_deploy_this_tenants_image_by_id_reference_or_docker_id()
    {
        using var admin = _smcp.Client(SmcpServerFixture.AdminKey);
        var row = (await admin.GetFromJsonAsync<JsonArray>("/v1/tenants/acme/images"))!.Single()!;
        var dockerId = (await SmcpServerFixture.RunAsync("docker", $"image inspect --format {{{{.Id}}}} {row["reference"]!.GetValue<string>()}")).Output.Trim();
        using var beta = _smcp.Client(_betaAdmin);

        foreach (var image in new[] { _acmeImage, row["reference"]!.GetValue<string>(), dockerId, dockerId["sha256:".Length..] })
        {
            var deploy = await beta.PutAsJsonAsync("/v1/tenants/beta/servers/stolen", new { image });
            Assert.That(deploy.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), image);
            Assert.That(await deploy.Content.ReadAsStringAsync(), Does.Contain("no image"), image);
        }

        var onAcmePath = await beta.PutAsJsonAsync("/v1/tenants/acme/servers/stolen", new { image = _acmeImage });
        Assert.That(onAcmePath.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var betaServers = await admin.GetFromJsonAsync<JsonArray>("/v1/tenants/beta/servers");
        Assert.That(betaServers!.Select(s => s!["server"]!.GetValue<string>()), Is.EqualTo(new[] { "notes" }), "no server was made from acme's image");
    }

    [Test]
    public async Task Another_tenants_audit_log_and_its_verification_are_refused()
    {
        using var acme = _smcp.Client(_acmeAdmin);

        Assert.That((await acme.GetAsync("/v1/tenants/beta/audit")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await acme.GetAsync("/v1/tenants/beta/audit?after=0&limit=1000")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await acme.GetAsync("/v1/tenants/beta/audit/verify")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var own = await acme.GetStringAsync("/v1/tenants/acme/audit?limit=1000");
        Assert.That(own, Does.Not.Contain(_betaSession), "acme's own log holds none of beta's rows");
    }

    [Test]
    public async Task Another_tenants_secret_names_and_values_are_refused_and_never_listed()
    {
        using var beta = _smcp.Client(_betaAdmin);

        Assert.That((await beta.GetAsync("/v1/tenants/acme/servers/notes/secrets")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await beta.GetAsync("/v1/tenants/acme/servers/notes")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await beta.PutAsJsonAsync("/v1/tenants/acme/servers/notes/secrets/ACME_TOKEN", new { value = "overwritten" })).StatusCode,
            Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await beta.DeleteAsync("/v1/tenants/acme/servers/notes/secrets/ACME_TOKEN")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var betaNames = await beta.GetStringAsync("/v1/tenants/beta/servers/notes/secrets");
        Assert.That(betaNames, Does.Not.Contain("ACME_TOKEN").And.Not.Contain(AcmeSecretValue));
        using var acme = _smcp.Client(_acmeAdmin);
        Assert.That(await acme.GetStringAsync("/v1/tenants/acme/servers/notes/secrets"), Does.Contain("ACME_TOKEN"), "the secret is still there");
        Assert.That(await beta.GetStringAsync("/v1/tenants/beta/audit?limit=1000"), Does.Not.Contain(AcmeSecretValue));
    }

    [Test]
    public async Task Another_tenants_sessions_cannot_be_listed_or_ended()
    {
        using var acme = _smcp.Client(_acmeAdmin);

        Assert.That((await acme.GetAsync("/v1/tenants/beta/sessions")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await acme.DeleteAsync($"/v1/tenants/beta/sessions/{_betaSession}")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await acme.DeleteAsync($"/v1/tenants/acme/sessions/{_betaSession}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound),
            "beta's session id is unknown under acme");
        var own = await acme.GetFromJsonAsync<JsonArray>("/v1/tenants/acme/sessions");
        Assert.That(own!.Select(s => s!["id"]!.GetValue<string>()), Does.Not.Contain(_betaSession));
        using var beta = _smcp.Client(_betaUser);
        var alive = await SmcpServerFixture.PostMcpAsync(beta, _betaSession, HostMcp.ToolCall(43, "echo", "beta-alive"), BetaUrl);
        Assert.That(await alive.Content.ReadAsStringAsync(), Does.Contain("beta-alive"), "beta's session survived");
    }

    private async Task<string> InitializeAsync(string key, string url)
    {
        using var client = _smcp.Client(key);
        return await HostMcp.InitializeAsync(client, url);
    }

    /// <summary>The targets of the tenant's audit rows once a row with <paramref name="lastTarget"/> has landed (rows land in request order).</summary>
    private async Task<List<string?>> AuditTargetsAfterAsync(string tenant, string lastTarget)
    {
        using var admin = _smcp.Client(SmcpServerFixture.AdminKey);
        var targets = new List<string?>();
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10); DateTime.UtcNow < deadline && !targets.Contains(lastTarget);)
        {
            var page = await admin.GetFromJsonAsync<JsonObject>($"/v1/tenants/{tenant}/audit?limit=1000");
            targets = page!["entries"]!.AsArray().Select(e => e!["target"]?.GetValue<string>()).ToList();
            await Task.Delay(100);
        }

        Assert.That(targets, Does.Contain(lastTarget), "the last request's audit row landed");
        return targets;
    }
}
