using System.Globalization;
using Smcp.Orchestrator.Auth;
using Smcp.Proxy.Ports;
using YamlDotNet.RepresentationModel;

namespace Smcp.Orchestrator.Config;

/// <summary>
/// Reads the tool-definition scan and tool pinning policies: <c>defaults.toolScan</c>, <c>tenants[].toolScan</c> and
/// <c>tenants[].servers.{name}.toolScan</c>, and <c>toolPinning</c> at the same three places.
/// </summary>
internal static class ToolScanReader
{
    public const string Key = "toolScan";

    public const string ServersKey = "servers";

    public const string PinningKey = "toolPinning";

    private static readonly string[] ServerKeys = [Key, PinningKey, ToolPolicyReader.Key, OutputGuardReader.Key];

    private static readonly Dictionary<string, ToolScanPolicy> Policies = new(StringComparer.Ordinal)
    {
        ["off"] = ToolScanPolicy.Off,
        ["warn"] = ToolScanPolicy.Warn,
        ["block"] = ToolScanPolicy.Block,
    };

    private static readonly Dictionary<string, ToolPinningPolicy> PinningPolicies = new(StringComparer.Ordinal)
    {
        ["off"] = ToolPinningPolicy.Off,
        ["warn"] = ToolPinningPolicy.Warn,
        ["block"] = ToolPinningPolicy.Block,
    };

    /// <summary>The pinning policy the node names; <paramref name="inherited"/> when it is absent or wrong (then reported).</summary>
    public static ToolPinningPolicy ReadPinning(NodeReader reader, YamlNode? node, string path, ToolPinningPolicy inherited) =>
        node is not null && reader.TryChoice(node, path, "a tool pinning policy", PinningPolicies, out var policy) ? policy : inherited;

    /// <summary>The policy the node names; <paramref name="inherited"/> when it is absent or wrong (then reported).</summary>
    public static ToolScanPolicy Read(NodeReader reader, YamlNode? node, string path, ToolScanPolicy inherited) =>
        node is not null && reader.TryChoice(node, path, "a tool scan policy", Policies, out var policy) ? policy : inherited;

    /// <summary>The <c>toolScan</c> entry of a mapping read elsewhere (<c>defaults:</c> is the quotas' mapping too).</summary>
    public static YamlNode? Find(YamlNode mapping, string key = Key) =>
        mapping is YamlMappingNode { Children: var children }
            ? children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: { } name } && name == key && !NodeReader.IsNull(c.Value)).Value
            : null;

    /// <summary><c>servers:</c> of a tenant, by server name (as deployed through the API), each with its own <c>toolScan</c> and <c>toolPinning</c>.</summary>
    public static (ServerSettings<ToolScanPolicy> Scans, ServerSettings<ToolPinningPolicy> Pinning) ReadServers(NodeReader reader, YamlNode node, string path, ToolScanPolicy inherited, ToolPinningPolicy inheritedPinning)
    {
        var servers = new Dictionary<string, ToolScanPolicy>(StringComparer.Ordinal);
        var pinning = new Dictionary<string, ToolPinningPolicy>(StringComparer.Ordinal);
        if (NodeReader.IsNull(node))
        {
            return (ServerSettings<ToolScanPolicy>.None, ServerSettings<ToolPinningPolicy>.None);
        }

        if (node is not YamlMappingNode mapping)
        {
            reader.Error(node, path, "expected a mapping of server names, e.g. { notes: { toolScan: block } }");
            return (ServerSettings<ToolScanPolicy>.None, ServerSettings<ToolPinningPolicy>.None);
        }

        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } name } || !TenantId.IsValid(name))
            {
                reader.Error(keyNode, path, string.Create(CultureInfo.InvariantCulture,
                    $"'{(keyNode as YamlScalarNode)?.Value}' is not a server name; use 1 to 63 lowercase letters, digits and '-', as when it was deployed"));
                continue;
            }

            var at = NodeReader.Join(path, name);
            if (reader.Mapping(value, at, ServerKeys) is { } set)
            {
                servers[name] = Read(reader, set.GetValueOrDefault(Key), NodeReader.Join(at, Key), inherited);
                pinning[name] = ReadPinning(reader, set.GetValueOrDefault(PinningKey), NodeReader.Join(at, PinningKey), inheritedPinning);
            }
        }

        return (new(servers), new(pinning));
    }
}
