using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Config;

/// <summary>The admin's smcp.yaml: where SMCP listens, its database, and the tenants with their quotas.</summary>
/// <remarks>Read by <see cref="ConfigLoader"/>, kept current by <see cref="ConfigMonitor"/>; every default is documented in compose/smcp.example.yaml.</remarks>
internal sealed record SmcpConfig
{
    private readonly IReadOnlyList<TenantConfig> _tenants = [];
    private readonly Dictionary<string, TenantConfig> _byId = new(StringComparer.Ordinal);

    public const string DefaultListen = "http://127.0.0.1:8080";

    public const string DefaultInstanceId = "smcp";

    /// <summary>Kestrel URLs; loopback only unless the admin says otherwise.</summary>
    public IReadOnlyList<string> Listen { get; init; } = [DefaultListen];

    /// <summary>This installation's id, stable across restarts; every container is labelled with it.</summary>
    public string InstanceId { get; init; } = DefaultInstanceId;

    public PostgresConfig Postgres { get; init; } = new();

    /// <summary>Browser origins allowed to call the MCP endpoint; empty allows only requests without Origin or from a loopback origin.</summary>
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    public VettingConfig Vetting { get; init; } = new();

    public OAuthConfig OAuth { get; init; } = new();

    /// <summary><c>sandbox:</c>: the engine sandboxes run on (Docker unless it says kubernetes); read at start-up only.</summary>
    public SandboxConfig Sandbox { get; init; } = new();

    /// <summary>The quotas a tenant gets for every field it does not set itself.</summary>
    public TenantQuotas Defaults { get; init; } = new();

    /// <summary><c>defaults.toolScan</c>: the tool-definition scan policy of tenants that set none.</summary>
    public ToolScanPolicy DefaultToolScan { get; init; } = ToolScanPolicy.Warn;

    /// <summary><c>defaults.toolPinning</c>: the tool pinning policy of tenants that set none.</summary>
    public ToolPinningPolicy DefaultToolPinning { get; init; } = ToolPinningPolicy.Warn;

    public IReadOnlyList<TenantConfig> Tenants
    {
        get => _tenants;
        init
        {
            _tenants = value;
            // Looked up on every MCP and API request: indexed once per configuration, first of an id wins.
            _byId = new Dictionary<string, TenantConfig>(StringComparer.Ordinal);
            foreach (var tenant in value)
            {
                _byId.TryAdd(tenant.Id, tenant);
            }
        }
    }

    public TenantConfig? FindTenant(string id) => _byId.GetValueOrDefault(id);
}

/// <summary>Connection strings; the environment variables <c>SMCP_PG_APP</c> and <c>SMCP_PG_OWNER</c> override the file so passwords need not sit in it.</summary>
internal sealed record PostgresConfig
{
    public const string AppVariable = "SMCP_PG_APP";

    public const string OwnerVariable = "SMCP_PG_OWNER";

    /// <summary>The application role smcp_app: not owner, no BYPASSRLS.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>The schema owner smcp_owner, used only to run migrations.</summary>
    public string? OwnerConnectionString { get; init; }
}

internal sealed record VettingConfig
{
    /// <summary>What an uploaded image whose environment looks like it holds a secret gets.</summary>
    public SuspiciousEnvAction OnSuspiciousEnv { get; init; } = SuspiciousEnvAction.Warn;
}

/// <summary>What a credential-shaped environment variable or argument in an uploaded image does to the verdict.</summary>
internal enum SuspiciousEnvAction
{
    [System.Text.Json.Serialization.JsonStringEnumMemberName("warn")]
    Warn,

    [System.Text.Json.Serialization.JsonStringEnumMemberName("reject")]
    Reject,
}

internal sealed record TenantConfig
{
    public required string Id { get; init; }

    /// <summary>A display name; the id when the file gives none.</summary>
    public required string Name { get; init; }

    public TenantStatus Status { get; init; } = TenantStatus.Active;

    /// <summary>The effective quotas: the tenant's own, then <c>defaults:</c>, then the built-in defaults.</summary>
    public TenantQuotas Quotas { get; init; } = new();

    /// <summary>The tenant's tool-definition scan policy: its own <c>toolScan</c>, else <c>defaults.toolScan</c>, else warn.</summary>
    public ToolScanPolicy ToolScan { get; init; } = ToolScanPolicy.Warn;

    /// <summary><c>servers.{name}.toolScan</c>: the servers whose policy differs from the tenant's.</summary>
    public ServerSettings<ToolScanPolicy> ServerToolScan { get; init; } = ServerSettings<ToolScanPolicy>.None;

    /// <summary>How the tenant's people sign in to the built-in issuer: passwords, an upstream provider, or both.</summary>
    public SignInConfig SignIn { get; init; } = SignInConfig.Default;

    /// <summary><c>servers.{name}.tools</c>: the servers whose tools are limited by role.</summary>
    public ServerSettings<ToolPolicy> ServerTools { get; init; } = ServerSettings<ToolPolicy>.None;

    /// <summary><c>servers.{name}.outputGuard</c>: the servers whose tool results are redacted (off for the rest).</summary>
    public ServerSettings<OutputGuardMode> ServerOutputGuard { get; init; } = ServerSettings<OutputGuardMode>.None;

    /// <summary>The effective policy of one of the tenant's servers.</summary>
    public ToolScanPolicy ToolScanFor(string server) => ServerToolScan.ByName.GetValueOrDefault(server, ToolScan);

    /// <summary>The tenant's tool pinning policy: its own <c>toolPinning</c>, else <c>defaults.toolPinning</c>, else warn.</summary>
    public ToolPinningPolicy ToolPinning { get; init; } = ToolPinningPolicy.Warn;

    /// <summary><c>servers.{name}.toolPinning</c>: every server listed, inherited where it sets none.</summary>
    public ServerSettings<ToolPinningPolicy> ServerToolPinning { get; init; } = ServerSettings<ToolPinningPolicy>.None;

    /// <summary>The effective pinning policy of one of the tenant's servers.</summary>
    public ToolPinningPolicy ToolPinningFor(string server) => ServerToolPinning.ByName.GetValueOrDefault(server, ToolPinning);
}

internal enum TenantStatus
{
    Active,
    Suspended,
}
