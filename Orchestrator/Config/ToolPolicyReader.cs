using System.Globalization;
using Smcp.Proxy.Ports;
using YamlDotNet.RepresentationModel;

namespace Smcp.Orchestrator.Config;

/// <summary>Reads <c>tenants[].servers.{name}.tools</c>: allow and deny lists of tool names by role, and the roles held to read-only tools.</summary>
internal static class ToolPolicyReader
{
    public const string Key = "tools";

    /// <summary>Tool names one role's allow or deny list may hold.</summary>
    public const int MaxNames = 1000;

    /// <summary>The longest tool name a list may hold, in characters.</summary>
    public const int MaxNameLength = 256;

    private static readonly string[] Keys = ["allow", "deny", "readOnlyRoles"];

    /// <summary>The policy of each server of a tenant's <c>servers:</c> that sets <c>tools</c>.</summary>
    public static ServerSettings<ToolPolicy> ReadServers(NodeReader reader, YamlNode node, string path) =>
        new(NodeReader.ServerEntries(node, path, Key).ToDictionary(e => e.Server, e => Read(reader, e.Value, e.Path), StringComparer.Ordinal));

    public static ToolPolicy Read(NodeReader reader, YamlNode node, string path)
    {
        if (reader.Mapping(node, path, Keys) is not { } set)
        {
            return ToolPolicy.None;
        }

        var policy = ToolPolicy.None;
        if (set.GetValueOrDefault("allow") is { } allow)
        {
            policy = policy with { Allow = ReadLists(reader, allow, NodeReader.Join(path, "allow")) };
        }

        if (set.GetValueOrDefault("deny") is { } deny)
        {
            policy = policy with { Deny = ReadLists(reader, deny, NodeReader.Join(path, "deny")) };
        }

        if (set.GetValueOrDefault("readOnlyRoles") is { } readOnly)
        {
            var at = NodeReader.Join(path, "readOnlyRoles");
            var roles = new HashSet<SmcpRole>();
            foreach (var item in reader.Sequence(readOnly, at, "[ tenant-user ]") ?? [])
            {
                if (reader.TryChoice(item, at, "a role", ToolPolicy.RoleNames, out var role))
                {
                    roles.Add(role);
                }
            }

            policy = policy with { ReadOnlyRoles = roles };
        }

        return policy;
    }

    private static Dictionary<SmcpRole, IReadOnlySet<string>> ReadLists(NodeReader reader, YamlNode node, string path)
    {
        var lists = new Dictionary<SmcpRole, IReadOnlySet<string>>();
        if (node is not YamlMappingNode mapping)
        {
            reader.Error(node, path, "expected a mapping of roles to tool names, e.g. { tenant-user: [ get_forecast ], tenant-admin: [ \"*\" ] }");
            return lists;
        }

        foreach (var (keyNode, value) in mapping.Children)
        {
            if (!reader.TryChoice(keyNode, path, "a role", ToolPolicy.RoleNames, out var role))
            {
                continue;
            }

            var at = NodeReader.Join(path, ToolPolicy.NameOf(role));
            var names = new HashSet<string>(StringComparer.Ordinal);
            var items = reader.Sequence(value, at, "[ get_forecast, search ]") ?? [];
            if (items.Count > MaxNames)
            {
                reader.Error(value, at, string.Create(CultureInfo.InvariantCulture, $"{items.Count} tool names; use at most {MaxNames}"));
                continue;
            }

            foreach (var item in items)
            {
                if (reader.Text(item, at, "a tool name") is not { } name)
                {
                    continue;
                }

                if (name.Length is 0 or > MaxNameLength)
                {
                    reader.Error(item, at, string.Create(CultureInfo.InvariantCulture, $"a tool name has 1 to {MaxNameLength} characters"));
                    continue;
                }

                names.Add(name);
            }

            lists[role] = names;
        }

        return lists;
    }
}
