using System.Net;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Api;

/// <summary><c>/healthz</c> and <c>/readyz</c> on a real host: ready only while Postgres, the migrations and the engine are.</summary>
[NonParallelizable]
public sealed class HealthTests
{
    private SmcpServerFixture _smcp = null!;

    [OneTimeSetUp]
    public async Task Start() => _smcp = await SmcpServerFixture.StartAsync("health", "tenants: [ { id: acme } ]");

    [OneTimeTearDown]
    public async Task Stop() => await _smcp.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonObject Body)> GetAsync(string path)
    {
        using var client = _smcp.Client();
        using var response = await client.GetAsync(path);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        return (response.StatusCode, body);
    }

    private static string? Check(JsonObject body, string name) => body["checks"]?[name]?["status"]?.GetValue<string>();

    [Test]
    public async Task Healthz_answers_without_a_credential_and_runs_no_check()
    {
        var (status, body) = await GetAsync("/healthz");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body["status"]?.GetValue<string>(), Is.EqualTo("healthy"));
        Assert.That(body["checks"]!.AsObject(), Is.Empty);
    }

    [Test]
    public async Task Readyz_is_healthy_with_each_check_named()
    {
        var (status, body) = await GetAsync("/readyz");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        Assert.That((Check(body, "postgres"), Check(body, "migrations"), Check(body, "engine")), Is.EqualTo(("healthy", "healthy", "healthy")));
    }

    [Test]
    public async Task Readyz_is_503_while_a_migration_is_missing_and_says_which()
    {
        await _smcp.Database.SuperuserExecuteAsync("CREATE TABLE saved_migration AS SELECT * FROM schema_migrations WHERE version = 7; DELETE FROM schema_migrations WHERE version = 7");
        try
        {
            var (status, body) = await GetAsync("/readyz");
            Assert.That(status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body.ToJsonString());
            Assert.That(Check(body, "migrations"), Is.EqualTo("unhealthy"));
            Assert.That(body["checks"]!["migrations"]!["description"]!.GetValue<string>(), Does.Contain("not applied: 7"));
            Assert.That(Check(body, "postgres"), Is.EqualTo("healthy"));
        }
        finally
        {
            await _smcp.Database.SuperuserExecuteAsync("INSERT INTO schema_migrations SELECT * FROM saved_migration; DROP TABLE saved_migration");
        }

        Assert.That((await GetAsync("/readyz")).Status, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Readyz_is_503_while_Postgres_refuses_the_application_role_and_names_no_secret()
    {
        var database = _smcp.Database.Database;
        await _smcp.Database.SuperuserExecuteAsync($"REVOKE CONNECT ON DATABASE {database} FROM smcp_app; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}' AND usename = 'smcp_app'");
        try
        {
            var (status, body) = await GetAsync("/readyz");
            Assert.That(status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body.ToJsonString());
            Assert.That(Check(body, "postgres"), Is.EqualTo("unhealthy"));
            Assert.That(body.ToJsonString(), Does.Not.Contain("Host=").And.Not.Contain("127.0.0.1").And.Not.Contain(database));
        }
        finally
        {
            await _smcp.Database.SuperuserExecuteAsync($"GRANT CONNECT ON DATABASE {database} TO smcp_app");
        }

        Assert.That((await GetAsync("/readyz")).Status, Is.EqualTo(HttpStatusCode.OK));
    }
}
