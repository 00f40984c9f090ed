using Smcp.Orchestrator.Config;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Tests.Config;

/// <summary><c>servers.{name}.outputGuard</c> in smcp.yaml: off unless a server sets redact, and the mistakes an admin can make.</summary>
public sealed class OutputGuardConfigTests
{
    private static ConfigResult Parse(string yaml) => ConfigLoader.Parse(yaml, "smcp.yaml", _ => null);

    [Test]
    public void Redact_is_read_per_server_and_every_other_server_is_off()
    {
        var result = Parse("tenants: [ { id: acme, servers: { notes: { outputGuard: redact }, docs: { outputGuard: off, toolScan: block } } } ]");

        Assert.That(result.Errors.Select(e => e.ToString()), Is.Empty);
        var guards = result.Config!.Tenants[0].ServerOutputGuard.ByName;
        Assert.That((guards["notes"], guards["docs"], guards.ContainsKey("other")), Is.EqualTo((OutputGuardMode.Redact, OutputGuardMode.Off, false)));
    }

    [Test]
    public void A_wrong_mode_is_reported_with_its_place()
    {
        var errors = Parse("""
            tenants:
              - id: acme
                servers:
                  notes: { outputGuard: block }
                  docs: { outputGuard: [redact] }
            """).Errors.Select(e => e.ToString());

        Assert.That(errors, Is.EqualTo(new[]
        {
            "smcp.yaml:4:29: tenants[0].servers.notes.outputGuard: 'block' is not an output guard mode; allowed: off, redact",
            "smcp.yaml:5:28: tenants[0].servers.docs.outputGuard: expected an output guard mode; found a list",
        }));
    }
}
