namespace Smcp.Orchestrator.Hosting;

/// <summary>What <c>smcp serve</c> runs: everything, the MCP endpoint alone, or the control plane alone.</summary>
internal enum ServeRole
{
    /// <summary>The tenant and admin API, OAuth, the dashboard and the MCP endpoint in one process.</summary>
    All,

    /// <summary>The MCP endpoint (and health, metrics), scaled out behind a balancer; no API, OAuth server or dashboard.</summary>
    Proxy,

    /// <summary>The API, OAuth server and dashboard; no MCP endpoint, so no sessions or warm sandboxes.</summary>
    Control,
}
