using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Demo;

/// <summary>
/// The README's demo, once for every test in this namespace: tenant <c>demo</c> with the built-in sandbox policy (gVisor,
/// one warm sandbox) and server-everything deployed as its server <c>everything</c>, as <c>scripts/run.sh</c> sets it up.
/// </summary>
/// <remarks>
/// The fixture's defaults are runc with no warm pool (fast tests); the demo runs under runsc. Starting it costs a
/// database, the migrations and a 150 MB upload, so the conformance runs and the client recipes share it.
/// </remarks>
[SetUpFixture]
public sealed class DemoHost
{
    public const string Tenant = "demo";
    public const string Server = "everything";
    public const string McpPath = $"/t/{Tenant}/{Server}/mcp";

    /// <summary>What the host is started with as <c>Sandbox:DefaultRuntime</c> (as an admin's <c>Sandbox__DefaultRuntime</c> would set it), against smcp.yaml's runc.</summary>
    internal const string StraySandboxDefaultRuntime = "runsc";

    private static SmcpServerFixture? _smcp;
    private static string? _key;

    internal static SmcpServerFixture Smcp => _smcp ?? throw new InvalidOperationException("The demo host is not started.");

    /// <summary>A tenant-user key of the demo tenant, as run.sh prints one.</summary>
    internal static string Key => _key ?? throw new InvalidOperationException("The demo host is not started.");

    /// <summary>The demo server's MCP URL, <c>http://127.0.0.1:PORT/t/demo/everything/mcp</c>.</summary>
    internal static string McpUrl => new Uri(Smcp.BaseAddress, McpPath).ToString();

    [OneTimeSetUp]
    public async Task Start()
    {
        // The fixture's smcp.yaml says `defaults: { runtime: runc }`; the stray setting says runsc: smcp.yaml must win (DemoRuntimeTests).
        _smcp = await SmcpServerFixture.StartAsync("demo", $$"""
            tenants:
              - id: {{Tenant}}
                quotas: { runtime: runsc, warmPoolSize: 1 }
            """, "--Sandbox:DefaultRuntime=" + StraySandboxDefaultRuntime);
        using var admin = _smcp.Client(SmcpServerFixture.AdminKey);
        _key = await SmcpServerFixture.DeployAsync(admin, "smcp-test/everything:test", Tenant, Server);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_smcp is not null)
        {
            await _smcp.DisposeAsync();
        }
    }
}
