using System.Diagnostics.Metrics;

namespace Smcp.Sandbox.Telemetry;

/// <summary>The tag names every SMCP meter and span uses (defined here, the lowest layer, once for all three).</summary>
public static class TelemetryTags
{
    /// <summary>The tenant, from the credential or smcp.yaml, never from a path alone.</summary>
    public const string Tenant = "smcp.tenant";

    /// <summary>The proxy's own word for what became of a request.</summary>
    public const string Outcome = "smcp.outcome";

    /// <summary>The MCP method, bucketed to those MCP defines.</summary>
    public const string Method = "mcp.method.name";

    public const string Session = "mcp.session.id";

    /// <summary>One measurement per tenant named in <paramref name="tenants"/>, of how often it is named.</summary>
    public static IEnumerable<Measurement<int>> PerTenant(IEnumerable<string> tenants) =>
        tenants.CountBy(t => t, StringComparer.Ordinal).Select(c => new Measurement<int>(c.Value, new KeyValuePair<string, object?>(Tenant, c.Key)));
}
