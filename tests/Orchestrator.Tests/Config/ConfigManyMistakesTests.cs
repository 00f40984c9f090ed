using Smcp.Orchestrator.Config;

namespace Smcp.Orchestrator.Tests.Config;

public sealed class ConfigManyMistakesTests
{
    [Test]
    public void Every_mistake_in_a_file_is_reported_at_once_in_file_order()
    {
        const string Yaml = """
            listen: ["http://127.0.0.1:8080"]
            instanceid: smcp
            vetting:
              onSuspiciousEnv: ignore
            defaults:
              memory: 12 apples
              warmPoolSize: -1
            tenants:
              - id: acme
                status: paused
                quotas:
                  cpus: many
                  sessionIdleTimeout: 15
              - id: Bad_Id
              - id: acme
                quotas:
                  runtime: docker
                  maxSessions: 1
                  warmPoolSize: 2
            """;

        var result = ConfigLoader.Parse(Yaml, "smcp.yaml", _ => null);

        Assert.That(result.IsValid, Is.False);
        Assert.That(result.Errors.Select(e => e.ToString()), Is.EqualTo(new[]
        {
            "smcp.yaml:2:1: instanceid: unknown key (did you mean 'instanceId'?); allowed: listen, instanceId, postgres, allowedOrigins, vetting, defaults, tenants, oauth, sandbox",
            "smcp.yaml:4:20: vetting.onSuspiciousEnv: 'ignore' is not an action; allowed: warn, reject",
            "smcp.yaml:6:11: defaults.memory: '12 apples' is not a size; use bytes or a unit like 256Mi (Ki, Mi, Gi, Ti are powers of 1024; k, M, G, T of 1000)",
            "smcp.yaml:7:17: defaults.warmPoolSize: -1 is too small; use at least 0",
            "smcp.yaml:10:13: tenants[0].status: 'paused' is not a status; allowed: active, suspended",
            "smcp.yaml:12:13: tenants[0].quotas.cpus: 'many' is not a number; use e.g. 0.5 or 2",
            "smcp.yaml:13:27: tenants[0].quotas.sessionIdleTimeout: '15' is not a duration; use a unit like 90s, 15m, 1h or 1h30m",
            "smcp.yaml:14:9: tenants[1].id: 'Bad_Id' is not a valid id; use 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
            "smcp.yaml:15:9: tenants[2].id: duplicate tenant id 'acme'; it is first used at line 9",
            "smcp.yaml:17:16: tenants[2].quotas.runtime: 'docker' is not a runtime; allowed: runsc, runc",
            "smcp.yaml:19:21: tenants[2].quotas.warmPoolSize: warmPoolSize 2 is more than maxSessions 1; warm sandboxes count against maxSessions",
        }));
    }
}
