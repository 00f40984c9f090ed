using Smcp.Orchestrator.Config;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Tests.Config;

/// <summary>The tool-definition scan policy in smcp.yaml: defaults, tenant, server, and the mistakes an admin can make.</summary>
public sealed class ToolScanConfigTests
{
    private static ConfigResult Parse(string yaml) => ConfigLoader.Parse(yaml, "smcp.yaml", _ => null);

    private static SmcpConfig Valid(string yaml)
    {
        var result = Parse(yaml);
        Assert.That(result.Errors.Select(e => e.ToString()), Is.Empty, "the file should have been valid");
        return result.Config!;
    }

    private static string[] Errors(string yaml) => [.. Parse(yaml).Errors.Select(e => e.ToString())];

    [Test]
    public void Without_a_setting_every_server_is_scanned_with_warn()
    {
        var acme = Valid("tenants: [ { id: acme } ]").Tenants[0];

        Assert.That(acme.ToolScanFor("notes"), Is.EqualTo(ToolScanPolicy.Warn));
    }

    [Test]
    public void A_server_beats_its_tenant_which_beats_defaults()
    {
        var config = Valid("""
            defaults:
              toolScan: off
              maxServers: 3
            tenants:
              - id: acme
                toolScan: block
                servers:
                  legacy: { toolScan: warn }
                  plain: {}
              - id: labs
            """);

        var acme = config.FindTenant("acme")!;
        Assert.That((acme.ToolScanFor("legacy"), acme.ToolScanFor("plain"), acme.ToolScanFor("other")),
            Is.EqualTo((ToolScanPolicy.Warn, ToolScanPolicy.Block, ToolScanPolicy.Block)));
        Assert.That(config.FindTenant("labs")!.ToolScanFor("x"), Is.EqualTo(ToolScanPolicy.Off));
        Assert.That(config.Defaults.MaxServers, Is.EqualTo(3));
    }

    [Test]
    public void Every_mistake_is_reported_with_its_place()
    {
        var errors = Errors("""
            defaults:
              toolScan: strict
            tenants:
              - id: acme
                toolScan: [block]
                servers:
                  Bad_Name: { toolScan: block }
                  notes: { toolscan: block }
                  docs: { toolScan: blok }
              - id: labs
                servers: [notes]
                quotas:
                  toolScan: block
            """);

        Assert.That(errors, Is.EqualTo(new[]
        {
            "smcp.yaml:2:13: defaults.toolScan: 'strict' is not a tool scan policy; allowed: off, warn, block",
            "smcp.yaml:5:15: tenants[0].toolScan: expected a tool scan policy; found a list",
            "smcp.yaml:7:7: tenants[0].servers: 'Bad_Name' is not a server name; use 1 to 63 lowercase letters, digits and '-', as when it was deployed",
            "smcp.yaml:8:16: tenants[0].servers.notes.toolscan: unknown key (did you mean 'toolScan'?); allowed: toolScan, toolPinning, tools, outputGuard",
            "smcp.yaml:9:25: tenants[0].servers.docs.toolScan: 'blok' is not a tool scan policy (did you mean 'block'?); allowed: off, warn, block",
            "smcp.yaml:11:14: tenants[1].servers: expected a mapping of server names, e.g. { notes: { toolScan: block } }",
            "smcp.yaml:13:7: tenants[1].quotas.toolScan: unknown key; allowed: maxServers, maxSessions, requestsPerMinute, maxImageBytes, totalImageBytes, "
                + "maxConcurrentUploads, sessionIdleTimeout, memory, cpus, pids, warmPoolSize, runtime, sessionStartsPerMinute, reclaimIdleAfter",
        }));
    }

    [Test]
    public void A_misspelt_key_in_defaults_is_told_about_tool_scan_too()
    {
        var errors = Errors("""
            defaults:
              toolscan: block
            """);

        Assert.That(errors.Single(), Does.StartWith("smcp.yaml:2:3: defaults.toolscan: unknown key (did you mean 'toolScan'?)"));
    }
}
