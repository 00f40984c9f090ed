using Smcp.Orchestrator.Config;

namespace Smcp.Orchestrator.Tests.Config;

public sealed class ConfigDefaultsTests
{
    private static SmcpConfig Valid(string yaml, Func<string, string?>? environment = null)
    {
        var result = ConfigLoader.Parse(yaml, "smcp.yaml", environment ?? (_ => null));
        Assert.That(result.Errors.Select(e => e.ToString()), Is.Empty, "the file should have been valid");
        return result.Config!;
    }

    [Test]
    public void A_file_with_only_a_tenant_id_is_valid_and_everything_else_takes_the_built_in_defaults()
    {
        var config = Valid("tenants: [ { id: acme } ]");

        Assert.That(config.Tenants, Has.Count.EqualTo(1));
        var acme = config.Tenants[0];
        Assert.That(acme.Id, Is.EqualTo("acme"));
        Assert.That(acme.Name, Is.EqualTo("acme"));
        Assert.That(acme.Status, Is.EqualTo(TenantStatus.Active));
        Assert.That(acme.Quotas, Is.EqualTo(new TenantQuotas()));
        Assert.That(config.Listen, Is.EqualTo(new[] { "http://127.0.0.1:8080" }));
        Assert.That(config.InstanceId, Is.EqualTo("smcp"));
        Assert.That(config.AllowedOrigins, Is.Empty);
        Assert.That(config.Vetting.OnSuspiciousEnv, Is.EqualTo(SuspiciousEnvAction.Warn));
        Assert.That(config.Postgres.ConnectionString, Is.Null);
        Assert.That(config.Postgres.OwnerConnectionString, Is.Null);
    }

    [Test]
    public void The_built_in_quota_defaults_are_the_documented_ones()
    {
        var quotas = new TenantQuotas();

        Assert.That(quotas.MaxServers, Is.EqualTo(10));
        Assert.That(quotas.MaxSessions, Is.EqualTo(20));
        Assert.That(quotas.RequestsPerMinute, Is.EqualTo(600));
        Assert.That(quotas.MaxImageBytes, Is.EqualTo(512L * 1024 * 1024));
        Assert.That(quotas.TotalImageBytes, Is.EqualTo(2L * 1024 * 1024 * 1024));
        Assert.That(quotas.MaxConcurrentUploads, Is.EqualTo(2));
        Assert.That(quotas.SessionIdleTimeout, Is.EqualTo(TimeSpan.FromMinutes(15)));
        Assert.That(quotas.MemoryBytes, Is.EqualTo(256L * 1024 * 1024));
        Assert.That(quotas.Cpus, Is.EqualTo(1.0));
        Assert.That(quotas.Pids, Is.Null);
        Assert.That(quotas.WarmPoolSize, Is.EqualTo(1));
        Assert.That(quotas.Runtime, Is.EqualTo("runsc"));
        Assert.That(quotas.SessionStartsPerMinute, Is.EqualTo(60));
        Assert.That(quotas.ReclaimIdleAfter, Is.EqualTo(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public void A_tenant_quota_beats_defaults_which_beat_the_built_in_values()
    {
        var config = Valid("""
            defaults:
              memory: 512Mi
              cpus: 0.5
              sessionIdleTimeout: 1h30m
            tenants:
              - id: acme
                quotas:
                  cpus: 2
                  maxImageBytes: 100M
                  pids: 1024
              - id: beta
            """);

        var acme = config.FindTenant("acme")!.Quotas;
        Assert.That(acme.Cpus, Is.EqualTo(2.0), "the tenant's own value");
        Assert.That(acme.MaxImageBytes, Is.EqualTo(100_000_000L), "the tenant's own value");
        Assert.That(acme.Pids, Is.EqualTo(1024L), "the tenant's own value");
        Assert.That(acme.MemoryBytes, Is.EqualTo(512L * 1024 * 1024), "from defaults:");
        Assert.That(acme.SessionIdleTimeout, Is.EqualTo(TimeSpan.FromMinutes(90)), "from defaults:");
        Assert.That(acme.MaxSessions, Is.EqualTo(20), "built in");
        Assert.That(config.FindTenant("beta")!.Quotas, Is.EqualTo(config.Defaults));
        Assert.That(config.Defaults, Is.EqualTo(new TenantQuotas { MemoryBytes = 512L * 1024 * 1024, Cpus = 0.5, SessionIdleTimeout = TimeSpan.FromMinutes(90) }));
    }

    [Test]
    public void Every_key_is_read()
    {
        var config = Valid("""
            listen: ["http://127.0.0.1:9000", "https://*:8443"]
            instanceId: smcp-prod
            postgres:
              connectionString: "Host=127.0.0.1;Username=smcp_app;Database=smcp"
              ownerConnectionString: "Host=127.0.0.1;Username=smcp_owner;Database=smcp"
            allowedOrigins: ["https://App.Example.com/"]
            vetting: { onSuspiciousEnv: reject }
            tenants:
              - id: acme
                name: Acme Corp
                status: suspended
                quotas: { maxServers: 3, maxSessions: 4, requestsPerMinute: 60, totalImageBytes: 1Gi, maxConcurrentUploads: 5, warmPoolSize: 0, runtime: runc,
                          sessionStartsPerMinute: 12, reclaimIdleAfter: 2m }
            """);

        Assert.That(config.Listen, Is.EqualTo(new[] { "http://127.0.0.1:9000", "https://*:8443" }));
        Assert.That(config.InstanceId, Is.EqualTo("smcp-prod"));
        Assert.That(config.Postgres.ConnectionString, Is.EqualTo("Host=127.0.0.1;Username=smcp_app;Database=smcp"));
        Assert.That(config.Postgres.OwnerConnectionString, Is.EqualTo("Host=127.0.0.1;Username=smcp_owner;Database=smcp"));
        Assert.That(config.AllowedOrigins, Is.EqualTo(new[] { "https://app.example.com" }), "an origin is kept as a browser sends it");
        Assert.That(config.Vetting.OnSuspiciousEnv, Is.EqualTo(SuspiciousEnvAction.Reject));
        var acme = config.FindTenant("acme")!;
        Assert.That(acme.Name, Is.EqualTo("Acme Corp"));
        Assert.That(acme.Status, Is.EqualTo(TenantStatus.Suspended));
        Assert.That(acme.Quotas, Is.EqualTo(new TenantQuotas
        {
            MaxServers = 3, MaxSessions = 4, RequestsPerMinute = 60, TotalImageBytes = 1L << 30, MaxConcurrentUploads = 5, WarmPoolSize = 0, Runtime = "runc",
            SessionStartsPerMinute = 12, ReclaimIdleAfter = TimeSpan.FromMinutes(2),
        }));
    }

    [Test]
    public void Null_values_and_empty_sections_mean_the_default()
    {
        var config = Valid("""
            listen:
            defaults:
            vetting: ~
            tenants:
              - id: acme
                name:
                quotas: { pids: null }
            """);

        Assert.That(config.Listen, Is.EqualTo(new[] { "http://127.0.0.1:8080" }));
        Assert.That(config.FindTenant("acme"), Is.EqualTo(new TenantConfig { Id = "acme", Name = "acme", Quotas = new TenantQuotas() }));
    }

    [Test]
    public void The_environment_overrides_the_connection_strings_in_the_file()
    {
        var environment = new Dictionary<string, string> { ["SMCP_PG_APP"] = "Host=db;Username=smcp_app;Password=from-env" };

        var config = Valid("""
            postgres:
              connectionString: "Host=db;Username=smcp_app"
              ownerConnectionString: "Host=db;Username=smcp_owner"
            tenants: []
            """, environment.GetValueOrDefault);

        Assert.That(config.Postgres.ConnectionString, Is.EqualTo("Host=db;Username=smcp_app;Password=from-env"));
        Assert.That(config.Postgres.OwnerConnectionString, Is.EqualTo("Host=db;Username=smcp_owner"));
    }

    [Test]
    public void FindTenant_matches_the_exact_id_only()
    {
        var config = Valid("tenants: [ { id: acme }, { id: acme-2 } ]");

        Assert.That(config.FindTenant("acme-2")!.Id, Is.EqualTo("acme-2"));
        Assert.That(config.FindTenant("ACME"), Is.Null);
        Assert.That(config.FindTenant("nobody"), Is.Null);
    }

    [Test]
    public void A_file_with_a_byte_order_mark_is_read()
    {
        var bytes = System.Text.Encoding.UTF8.GetPreamble().Concat(System.Text.Encoding.UTF8.GetBytes("tenants: [ { id: acme } ]")).ToArray();

        var result = ConfigLoader.Parse(bytes, "smcp.yaml", _ => null);

        Assert.That(result.IsValid, Is.True);
    }
}
