using Smcp.Proxy.Ports;
using YamlDotNet.RepresentationModel;

namespace Smcp.Orchestrator.Config;

/// <summary>Reads <c>tenants[].servers.{name}.outputGuard</c>: <c>off</c> (the default) or <c>redact</c>.</summary>
internal static class OutputGuardReader
{
    public const string Key = "outputGuard";

    private static readonly Dictionary<string, OutputGuardMode> Modes = new(StringComparer.Ordinal)
    {
        ["off"] = OutputGuardMode.Off,
        ["redact"] = OutputGuardMode.Redact,
    };

    /// <summary>The mode of each server of a tenant's <c>servers:</c> that sets one; names and keys are checked by <see cref="ToolScanReader"/>.</summary>
    public static ServerOutputGuards ReadServers(NodeReader reader, YamlNode node, string path)
    {
        var modes = new Dictionary<string, OutputGuardMode>(StringComparer.Ordinal);
        if (node is not YamlMappingNode mapping)
        {
            return ServerOutputGuards.None;
        }

        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is YamlScalarNode { Value: { } name } && value is YamlMappingNode server
                && server.Children.FirstOrDefault(c => c.Key is YamlScalarNode { Value: Key }).Value is { } mode && !NodeReader.IsNull(mode)
                && reader.TryChoice(mode, NodeReader.Join(NodeReader.Join(path, name), Key), "an output guard mode", Modes, out var chosen))
            {
                modes[name] = chosen;
            }
        }

        return new ServerOutputGuards(modes);
    }
}
