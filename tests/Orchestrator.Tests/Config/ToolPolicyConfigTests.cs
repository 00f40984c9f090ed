using Smcp.Orchestrator.Config;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Tests.Config;

/// <summary><c>servers.{name}.tools</c> in smcp.yaml: allow and deny lists by role, read-only roles, and the mistakes an admin can make.</summary>
public sealed class ToolPolicyConfigTests
{
    private static ConfigResult Parse(string yaml) => ConfigLoader.Parse(yaml, "smcp.yaml", _ => null);

    [Test]
    public void Lists_and_read_only_roles_are_read_by_role_and_a_server_without_tools_has_none()
    {
        var result = Parse("""
            tenants:
              - id: acme
                servers:
                  weather:
                    toolScan: block
                    tools:
                      allow: { read-only: [get_forecast], tenant-admin: ["*"] }
                      deny: { tenant-admin: [delete_everything] }
                      readOnlyRoles: [tenant-user]
                  plain: { toolScan: off }
            """);

        Assert.That(result.Errors.Select(e => e.ToString()), Is.Empty);
        var acme = result.Config!.FindTenant("acme")!;
        var weather = acme.ServerTools.ByName["weather"];
        Assert.That(weather.Allow!.Keys, Is.EquivalentTo(new[] { SmcpRole.ReadOnly, SmcpRole.TenantAdmin }));
        Assert.That(weather.ListRefusal(SmcpRole.ReadOnly, "get_forecast"), Is.Null);
        Assert.That(weather.ListRefusal(SmcpRole.TenantAdmin, "delete_everything")?.Rule, Is.EqualTo("tools.deny"));
        Assert.That(weather.ListRefusal(SmcpRole.TenantAdmin, "anything"), Is.Null);
        Assert.That(weather.ListRefusal(SmcpRole.TenantUser, "get_forecast")?.Rule, Is.EqualTo("tools.allow"));
        Assert.That((weather.IsReadOnly(SmcpRole.TenantUser), weather.IsReadOnly(SmcpRole.TenantAdmin), weather.Admits(SmcpRole.ReadOnly)), Is.EqualTo((true, false, true)));
        Assert.That(acme.ServerTools.ByName.ContainsKey("plain"), Is.False);
        Assert.That(acme.ToolScanFor("weather"), Is.EqualTo(ToolScanPolicy.Block));
    }

    [Test]
    public void The_same_file_read_twice_gives_an_equal_tenant()
    {
        const string yaml = "tenants: [ { id: acme, servers: { notes: { tools: { allow: { tenant-user: [a, b] }, readOnlyRoles: [tenant-user] } } } } ]";

        var first = Parse(yaml).Config!.Tenants[0];
        var again = Parse(yaml).Config!.Tenants[0];
        var changed = Parse(yaml.Replace("[a, b]", "[a]", StringComparison.Ordinal)).Config!.Tenants[0];

        Assert.That(again, Is.EqualTo(first));
        Assert.That(changed, Is.Not.EqualTo(first));
    }

    [Test]
    public void Unknown_roles_keys_and_wrong_shapes_are_reported_with_their_place()
    {
        var errors = Parse("""
            tenants:
              - id: acme
                servers:
                  notes:
                    tools:
                      allow: { developer: [get_forecast], tenant-user: get_forecast }
                      deny: [delete_everything]
                      readOnlyRoles: [reader]
                      only: [x]
                  docs:
                    tools:
                      allow: { tenant-user: [""] }
            """).Errors.Select(e => e.ToString());

        Assert.That(errors, Is.EqualTo(new[]
        {
            "smcp.yaml:6:20: tenants[0].servers.notes.tools.allow: 'developer' is not a role; allowed: platform-admin, tenant-admin, tenant-user, read-only",
            "smcp.yaml:6:60: tenants[0].servers.notes.tools.allow.tenant-user: expected a list, e.g. [ get_forecast, search ]; found 'get_forecast'",
            "smcp.yaml:7:17: tenants[0].servers.notes.tools.deny: expected a mapping of roles to tool names, e.g. { tenant-user: [ get_forecast ], tenant-admin: [ \"*\" ] }",
            "smcp.yaml:8:27: tenants[0].servers.notes.tools.readOnlyRoles: 'reader' is not a role; allowed: platform-admin, tenant-admin, tenant-user, read-only",
            "smcp.yaml:9:11: tenants[0].servers.notes.tools.only: unknown key; allowed: allow, deny, readOnlyRoles",
            "smcp.yaml:12:34: tenants[0].servers.docs.tools.allow.tenant-user: a tool name has 1 to 256 characters",
        }));
    }
}
