using Smcp.Orchestrator.Config;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Tests.Config;

/// <summary>The tool pinning policy in smcp.yaml: warn by default, then defaults, tenant, server; mistakes reported with their place.</summary>
public sealed class ToolPinningConfigTests
{
    private static ConfigResult Parse(string yaml) => ConfigLoader.Parse(yaml, "smcp.yaml", _ => null);

    [Test]
    public void Without_a_setting_every_server_is_pinned_with_warn()
    {
        var result = Parse("tenants: [ { id: acme } ]");

        Assert.That(result.Config!.Tenants[0].ToolPinningFor("notes"), Is.EqualTo(ToolPinningPolicy.Warn));
    }

    [Test]
    public void A_server_beats_its_tenant_which_beats_defaults_and_the_scan_policy_is_kept_apart()
    {
        var result = Parse("""
            defaults:
              toolPinning: off
              toolScan: block
            tenants:
              - id: acme
                toolPinning: block
                servers:
                  legacy: { toolPinning: warn }
                  scanned: { toolScan: off }
              - id: labs
            """);

        Assert.That(result.Errors, Is.Empty);
        var acme = result.Config!.FindTenant("acme")!;
        Assert.That((acme.ToolPinningFor("legacy"), acme.ToolPinningFor("scanned"), acme.ToolPinningFor("other")),
            Is.EqualTo((ToolPinningPolicy.Warn, ToolPinningPolicy.Block, ToolPinningPolicy.Block)));
        Assert.That((acme.ToolScanFor("legacy"), acme.ToolScanFor("scanned")), Is.EqualTo((ToolScanPolicy.Block, ToolScanPolicy.Off)));
        Assert.That(result.Config.FindTenant("labs")!.ToolPinningFor("x"), Is.EqualTo(ToolPinningPolicy.Off));
    }

    [Test]
    public void A_wrong_policy_is_reported_where_it_is()
    {
        var errors = Parse("""
            defaults:
              toolPinning: strict
            tenants:
              - id: acme
                toolPinning: [block]
                servers:
                  notes: { toolPinning: blok }
            """).Errors.Select(e => e.ToString());

        Assert.That(errors, Is.EqualTo(new[]
        {
            "smcp.yaml:2:16: defaults.toolPinning: 'strict' is not a tool pinning policy; allowed: off, warn, block",
            "smcp.yaml:5:18: tenants[0].toolPinning: expected a tool pinning policy; found a list",
            "smcp.yaml:7:29: tenants[0].servers.notes.toolPinning: 'blok' is not a tool pinning policy (did you mean 'block'?); allowed: off, warn, block",
        }));
    }

    [Test]
    public void A_changed_pinning_policy_is_a_changed_tenant()
    {
        var before = Parse("tenants: [ { id: acme, servers: { notes: { toolPinning: warn } } } ]").Config!.Tenants[0];
        var after = Parse("tenants: [ { id: acme, servers: { notes: { toolPinning: block } } } ]").Config!.Tenants[0];

        Assert.That(after, Is.Not.EqualTo(before));
    }
}
