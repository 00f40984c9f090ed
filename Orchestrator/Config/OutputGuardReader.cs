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

    /// <summary>The mode of each server of a tenant's <c>servers:</c> that sets one.</summary>
    public static ServerSettings<OutputGuardMode> ReadServers(NodeReader reader, YamlNode node, string path)
    {
        var modes = new Dictionary<string, OutputGuardMode>(StringComparer.Ordinal);
        foreach (var (server, mode, at) in NodeReader.ServerEntries(node, path, Key))
        {
            if (reader.TryChoice(mode, at, "an output guard mode", Modes, out var chosen))
            {
                modes[server] = chosen;
            }
        }

        return new ServerSettings<OutputGuardMode>(modes);
    }
}
