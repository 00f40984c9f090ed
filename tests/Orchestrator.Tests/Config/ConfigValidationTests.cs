using Smcp.Orchestrator.Config;

namespace Smcp.Orchestrator.Tests.Config;

public sealed class ConfigValidationTests
{
    private const string QuotaKeys =
        "maxServers, maxSessions, requestsPerMinute, maxImageBytes, totalImageBytes, maxConcurrentUploads, sessionIdleTimeout, memory, cpus, pids, warmPoolSize, runtime, sessionStartsPerMinute, reclaimIdleAfter";

    private static string[] Errors(string yaml, Func<string, string?>? environment = null)
    {
        var result = ConfigLoader.Parse(yaml, "smcp.yaml", environment ?? (_ => null));
        Assert.That(result.IsValid, Is.False, "the file should have been refused");
        return [.. result.Errors.Select(e => e.ToString())];
    }

    [Test]
    public void An_unknown_key_is_reported_at_the_key_with_the_closest_allowed_one()
    {
        var errors = Errors("""
            tenants:
              - id: acme
                quotas:
                  maxSesions: 5
            """);

        Assert.That(errors, Is.EqualTo(new[]
        {
            $"smcp.yaml:4:7: tenants[0].quotas.maxSesions: unknown key (did you mean 'maxSessions'?); allowed: {QuotaKeys}",
        }));
    }

    [Test]
    public void An_unknown_key_far_from_every_allowed_one_gets_no_suggestion()
    {
        var errors = Errors("""
            colour: red
            tenants: []
            """);

        Assert.That(errors, Is.EqualTo(new[]
        {
            "smcp.yaml:1:1: colour: unknown key; allowed: listen, instanceId, postgres, allowedOrigins, vetting, defaults, tenants, oauth, sandbox",
        }));
    }

    [Test]
    public void A_value_of_the_wrong_type_is_reported_with_what_was_expected()
    {
        var errors = Errors("""
            listen: http://0.0.0.0:8080
            tenants:
              - id: acme
                quotas:
                  maxServers: [1, 2]
              - acme2
            """);

        Assert.That(errors, Is.EqualTo(new[]
        {
            "smcp.yaml:1:9: listen: expected a list, e.g. [\"http://127.0.0.1:8080\"]; found 'http://0.0.0.0:8080'",
            "smcp.yaml:5:19: tenants[0].quotas.maxServers: expected a whole number; found a list",
            "smcp.yaml:6:5: tenants[1]: expected a mapping with keys id, name, status, quotas, toolScan, toolPinning, servers, signIn; found 'acme2'",
        }));
    }

    [Test]
    public void Numbers_out_of_range_are_reported_with_the_allowed_range()
    {
        var errors = Errors("""
            defaults:
              maxSessions: 0
              memory: 8Mi
              cpus: 65
            tenants:
              - id: acme
                quotas: { cpus: 0, requestsPerMinute: 99999999999, sessionIdleTimeout: 8d, maxImageBytes: 1000 }
            """);

        Assert.That(errors, Is.EqualTo(new[]
        {
            "smcp.yaml:2:16: defaults.maxSessions: 0 is too small; use at least 1",
            "smcp.yaml:3:11: defaults.memory: 8Mi is too small; use at least 16Mi",
            "smcp.yaml:4:9: defaults.cpus: 65 is out of range; use more than 0 and at most 64",
            "smcp.yaml:7:21: tenants[0].quotas.cpus: 0 is out of range; use more than 0 and at most 64",
            "smcp.yaml:7:43: tenants[0].quotas.requestsPerMinute: 99999999999 is too large; use at most 2147483647",
            "smcp.yaml:7:76: tenants[0].quotas.sessionIdleTimeout: 8d is out of range; use from 1s to 7d",
            "smcp.yaml:7:95: tenants[0].quotas.maxImageBytes: 1000 is too small; use at least 1Mi",
        }));
    }

    [Test]
    public void Session_starts_and_reclaim_idle_time_out_of_range_are_reported_with_their_bounds()
    {
        var errors = Errors("""
            defaults:
              sessionStartsPerMinute: 0
            tenants:
              - id: acme
                quotas: { reclaimIdleAfter: 500ms }
              - id: beta
                quotas: { reclaimIdleAfter: 30 }
            """);

        Assert.That(errors, Is.EqualTo(new[]
        {
            "smcp.yaml:2:27: defaults.sessionStartsPerMinute: 0 is too small; use at least 1",
            "smcp.yaml:5:33: tenants[0].quotas.reclaimIdleAfter: 500ms is out of range; use from 1s to 7d",
            "smcp.yaml:7:33: tenants[1].quotas.reclaimIdleAfter: '30' is not a duration; use a unit like 90s, 15m, 1h or 1h30m",
        }));
    }

    [Test]
    public void Max_concurrent_uploads_below_one_is_refused_where_it_is_set()
    {
        var errors = Errors("""
            defaults:
              maxConcurrentUploads: 0
            tenants: [ { id: acme } ]
            """);

        Assert.That(errors, Is.EqualTo(new[] { "smcp.yaml:2:25: defaults.maxConcurrentUploads: 0 is too small; use at least 1" }));
    }

    [Test]
    public void A_warm_pool_larger_than_max_sessions_is_blamed_where_it_was_set()
    {
        var errors = Errors("""
            defaults:
              warmPoolSize: 3
            tenants:
              - id: acme
                quotas:
                  maxSessions: 2
              - id: beta
            """);

        Assert.That(errors, Is.EqualTo(new[]
        {
            "smcp.yaml:6:20: tenants[0].quotas.maxSessions: warmPoolSize 3 is more than maxSessions 2; warm sandboxes count against maxSessions",
        }));
    }

    [Test]
    public void A_pids_limit_too_low_for_gvisor_is_refused_but_allowed_under_runc()
    {
        var errors = Errors("""
            tenants:
              - id: acme
                quotas: { pids: 64 }
              - id: beta
                quotas: { pids: 64, runtime: runc }
            """);

        Assert.That(errors, Is.EqualTo(new[]
        {
            "smcp.yaml:3:21: tenants[0].quotas.pids: pids 64 is too low under runsc, whose own threads count against it; use at least 128, or runtime: runc",
        }));
    }

    [Test]
    public void A_tenant_id_of_the_wrong_shape_is_reported_with_the_rule()
    {
        var errors = Errors("""
            tenants:
              - id: Acme_Corp
              - name: nobody
            """);

        Assert.That(errors, Is.EqualTo(new[]
        {
            "smcp.yaml:2:9: tenants[0].id: 'Acme_Corp' is not a valid id; use 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
            "smcp.yaml:3:5: tenants[1]: id is required, e.g. { id: acme }",
        }));
    }

    [Test]
    public void A_duplicate_tenant_id_points_at_the_first_one()
    {
        var errors = Errors("""
            tenants:
              - id: acme
              - id: beta
              - id: acme
            """);

        Assert.That(errors, Is.EqualTo(new[] { "smcp.yaml:4:9: tenants[2].id: duplicate tenant id 'acme'; it is first used at line 2" }));
    }

    [Test]
    public void Unknown_status_runtime_and_vetting_words_list_the_allowed_ones()
    {
        var errors = Errors("""
            vetting: { onSuspiciousEnv: block }
            tenants:
              - id: acme
                status: Active
                quotas: { runtime: runC }
            """);

        Assert.That(errors, Is.EqualTo(new[]
        {
            "smcp.yaml:1:29: vetting.onSuspiciousEnv: 'block' is not an action; allowed: warn, reject",
            "smcp.yaml:4:13: tenants[0].status: 'Active' is not a status (did you mean 'active'?); allowed: active, suspended",
            "smcp.yaml:5:24: tenants[0].quotas.runtime: 'runC' is not a runtime (did you mean 'runc'?); allowed: runsc, runc",
        }));
    }

    [Test]
    public void Malformed_sizes_and_durations_say_how_to_write_them()
    {
        var errors = Errors("""
            tenants:
              - id: acme
                quotas:
                  memory: 12 apples
                  sessionIdleTimeout: 15 minutes
            """);

        Assert.That(errors, Is.EqualTo(new[]
        {
            "smcp.yaml:4:15: tenants[0].quotas.memory: '12 apples' is not a size; use bytes or a unit like 256Mi (Ki, Mi, Gi, Ti are powers of 1024; k, M, G, T of 1000)",
            "smcp.yaml:5:27: tenants[0].quotas.sessionIdleTimeout: '15 minutes' is not a duration; use a unit like 90s, 15m, 1h or 1h30m",
        }));
    }

    [Test]
    public void A_yaml_syntax_error_is_reported_with_its_position()
    {
        var errors = Errors("""
            tenants:
              - id: acme
                name: 'unterminated
            """);

        Assert.That(errors, Is.EqualTo(new[] { "smcp.yaml:3:11: YAML syntax: While scanning a quoted scalar, found unexpected end of stream." }));
    }

    [Test]
    public void An_unterminated_flow_list_is_a_syntax_error_with_a_position()
    {
        var errors = Errors("""
            tenants: [ { id: acme }
            listen: []
            """);

        Assert.That(errors, Is.EqualTo(new[] { "smcp.yaml:1:10: YAML syntax: a [ ] list or { } mapping is not closed" }));
    }

    [Test]
    public void A_duplicate_key_is_a_syntax_error_at_the_second_key()
    {
        var errors = Errors("""
            tenants: []
            tenants: []
            """);

        Assert.That(errors, Is.EqualTo(new[] { "smcp.yaml:2:1: YAML syntax: Duplicate key tenants" }));
    }

    [Test]
    public void Listen_urls_origins_and_the_instance_id_are_checked()
    {
        var errors = Errors("""
            listen: ["http://127.0.0.1:8080", "ftp://host:21", "http://host:99999", "http://*:8080/base"]
            instanceId: "smcp prod"
            allowedOrigins: ["https://app.example.com", "https://app.example.com/login", "app.example.com"]
            """);

        Assert.That(errors, Is.EqualTo(new[]
        {
            "smcp.yaml:1:35: listen[1]: 'ftp://host:21' is not a URL to listen on; use http:// or https://, a host (or * for all interfaces) and a port, e.g. http://127.0.0.1:8080",
            "smcp.yaml:1:52: listen[2]: 'http://host:99999' is not a URL to listen on; use http:// or https://, a host (or * for all interfaces) and a port, e.g. http://127.0.0.1:8080",
            "smcp.yaml:1:73: listen[3]: 'http://*:8080/base' is not a URL to listen on; use http:// or https://, a host (or * for all interfaces) and a port, e.g. http://127.0.0.1:8080",
            "smcp.yaml:2:13: instanceId: 'smcp prod' is not a valid instance id; use 1 to 63 letters, digits, '-', '_' or '.'",
            "smcp.yaml:3:45: allowedOrigins[1]: 'https://app.example.com/login' is not an origin; use scheme://host[:port] with no path, e.g. https://app.example.com",
            "smcp.yaml:3:78: allowedOrigins[2]: 'app.example.com' is not an origin; use scheme://host[:port] with no path, e.g. https://app.example.com",
        }));
    }

    [Test]
    public void A_bad_connection_string_is_reported_without_repeating_it()
    {
        var errors = Errors("""
            postgres:
              connectionString: "Host=db;Pasword=hunter2"
            tenants: []
            """, name => name == PostgresConfig.OwnerVariable ? "Host=db;Port=notaport;Password=hunter3" : null);

        Assert.That(errors, Has.Length.EqualTo(2));
        Assert.That(errors[0], Does.StartWith("smcp.yaml:2:21: postgres.connectionString: not a valid Npgsql connection string"));
        Assert.That(errors[1], Does.StartWith("smcp.yaml: postgres.ownerConnectionString: the value of the environment variable SMCP_PG_OWNER: not a valid"));
        Assert.That(errors.Any(e => e.Contains("hunter", StringComparison.Ordinal)), Is.False, "a password must not appear in an error");
    }

    [Test]
    public void An_empty_file_is_refused_because_it_is_more_likely_half_written_than_meant()
    {
        Assert.That(Errors(""), Is.EqualTo(new[] { "smcp.yaml: the file is empty; an empty configuration is written 'tenants: []'" }));
    }

    [Test]
    public void A_file_with_two_documents_is_refused()
    {
        Assert.That(Errors("tenants: []\n---\ntenants: []\n"),
            Is.EqualTo(new[] { "smcp.yaml:3:1: the file holds more than one YAML document ('---'); keep one" }));
    }

    [Test]
    public void A_file_that_is_not_a_mapping_is_refused()
    {
        Assert.That(Errors("- id: acme\n"),
            Is.EqualTo(new[] { "smcp.yaml:1:1: expected a mapping with keys listen, instanceId, postgres, allowedOrigins, vetting, defaults, tenants, oauth, sandbox; found a list" }));
    }
}
