namespace Smcp.Proxy.Ports;

/// <summary>Which tools of a server each role may call: <c>servers.{name}.tools</c> in smcp.yaml.</summary>
/// <remarks>
/// Deny wins over allow. With an allow list, a role it does not name may call no tool. A read-only credential may use a
/// server only when the allow list names the role <c>read-only</c>, and then, as every role in <see cref="ReadOnlyRoles"/>,
/// only tools the session's listing declared <c>readOnlyHint: true</c>.
/// </remarks>
public sealed record ToolPolicy
{
    /// <summary>In an allow or deny list: every tool.</summary>
    public const string AnyTool = "*";

    private static readonly Dictionary<string, SmcpRole> Names = new(StringComparer.Ordinal)
    {
        ["platform-admin"] = SmcpRole.PlatformAdmin,
        ["tenant-admin"] = SmcpRole.TenantAdmin,
        ["tenant-user"] = SmcpRole.TenantUser,
        ["read-only"] = SmcpRole.ReadOnly,
    };

    /// <summary>No rules: every role that may use MCP may call every tool; read-only credentials may not use the server.</summary>
    public static ToolPolicy None { get; } = new();

    /// <summary>The role names smcp.yaml uses, as API keys are created with (and <c>platform-admin</c>).</summary>
    public static IReadOnlyDictionary<string, SmcpRole> RoleNames => Names;

    /// <summary>Tool names each role may call; null when the server has no allow list.</summary>
    public IReadOnlyDictionary<SmcpRole, IReadOnlySet<string>>? Allow { get; init; }

    public IReadOnlyDictionary<SmcpRole, IReadOnlySet<string>> Deny { get; init; } = new Dictionary<SmcpRole, IReadOnlySet<string>>();

    /// <summary>Roles besides <c>read-only</c> that may call only tools declared <c>readOnlyHint: true</c>.</summary>
    public IReadOnlySet<SmcpRole> ReadOnlyRoles { get; init; } = new HashSet<SmcpRole>();

    public static string NameOf(SmcpRole role) => Names.First(n => n.Value == role).Key;

    /// <summary>Whether a credential of <paramref name="role"/> may open sessions of the server at all.</summary>
    public bool Admits(SmcpRole role) => role != SmcpRole.ReadOnly || Allow?.ContainsKey(SmcpRole.ReadOnly) == true;

    /// <summary>Whether the role may call only tools the listing declared read-only.</summary>
    public bool IsReadOnly(SmcpRole role) => role == SmcpRole.ReadOnly || ReadOnlyRoles.Contains(role);

    /// <summary>Whether any rule limits what the role may call (else its sessions pay nothing for the policy).</summary>
    public bool Limits(SmcpRole role) => Allow is not null || Deny.ContainsKey(role) || IsReadOnly(role);

    /// <summary>Which list keeps the role from calling the tool (<c>tools.deny</c>, <c>tools.allow</c>) and why; null when the lists let it.</summary>
    public (string Rule, string Why)? ListRefusal(SmcpRole role, string tool)
    {
        if (Deny.TryGetValue(role, out var denied) && (denied.Contains(tool) || denied.Contains(AnyTool)))
        {
            return ("tools.deny", $"the server's tools.deny names it for the role {NameOf(role)}");
        }

        if (Allow is { } allow && !(allow.TryGetValue(role, out var allowed) && (allowed.Contains(tool) || allowed.Contains(AnyTool))))
        {
            return ("tools.allow", $"the server's tools.allow does not name it for the role {NameOf(role)}");
        }

        return null;
    }

    /// <summary>Equal by content, so an unchanged file reads as an unchanged tenant.</summary>
    public bool Equals(ToolPolicy? other) => other is not null && Canonical() == other.Canonical();

    public override int GetHashCode() => Canonical().GetHashCode(StringComparison.Ordinal);

    private string Canonical() =>
        $"{(Allow is null ? "-" : Lists(Allow))}|{Lists(Deny)}|{string.Join(',', ReadOnlyRoles.Order())}";

    private static string Lists(IReadOnlyDictionary<SmcpRole, IReadOnlySet<string>> lists) =>
        string.Join(';', lists.OrderBy(l => l.Key).Select(l => $"{l.Key}={string.Join('\n', l.Value.Order(StringComparer.Ordinal))}"));
}
