namespace Smcp.Proxy.Ports;

/// <summary>What a credential may do.</summary>
public enum SmcpRole
{
    /// <summary>The platform admin (<c>SMCP_ADMIN_KEY</c>): every tenant, every action.</summary>
    PlatformAdmin,

    /// <summary>Manages one tenant through the API: images, servers, secrets, keys.</summary>
    TenantAdmin,

    /// <summary>Uses the tenant's MCP servers; no API access.</summary>
    TenantUser,

    /// <summary>Reads the tenant's API (lists, audit); changes nothing.</summary>
    ReadOnly,
}

/// <summary>Who is calling, as established from the credential alone.</summary>
/// <param name="Id">A stable, non-secret id for audit rows: <c>admin</c> or <c>key:{uuid}</c>.</param>
/// <param name="Tenant">The tenant the credential belongs to; null for the platform admin.</param>
public sealed record SmcpPrincipal(string Id, string? Tenant, SmcpRole Role)
{
    public bool MayAct(string tenant) => Role == SmcpRole.PlatformAdmin || Tenant == tenant;

    public bool MayRead(string tenant) => MayAct(tenant) && Role is SmcpRole.PlatformAdmin or SmcpRole.TenantAdmin or SmcpRole.ReadOnly;

    public bool MayManage(string tenant) => MayAct(tenant) && Role is SmcpRole.PlatformAdmin or SmcpRole.TenantAdmin;

    /// <summary>Whether the credential may reach the tenant's MCP endpoints; a read-only one only the servers whose tool policy admits it (<see cref="ToolPolicy.Admits"/>).</summary>
    public bool MayUseMcp(string tenant) => MayAct(tenant);
}
