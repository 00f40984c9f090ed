using System.Net;
using System.Collections.Concurrent;
using Smcp.Proxy.Ports;
using Smcp.Sandbox;
using Smcp.Sandbox.Pool;

namespace Smcp.Proxy.Tests.Support;

/// <summary>Bearer tokens the test host knows, each naming its principal.</summary>
internal sealed class TestCredentials : ICredentialValidator
{
    public const string AcmeUser = "acme-user-token";
    public const string AcmeOtherUser = "acme-other-user-token";
    public const string AcmeReader = "acme-reader-token";
    public const string OtherTenantUser = "other-user-token";
    public const string Admin = "admin-token";
    public const string ReuseUser = "reuse-user-token";

    private static readonly Dictionary<string, SmcpPrincipal> Principals = new(StringComparer.Ordinal)
    {
        [AcmeUser] = new SmcpPrincipal("key:acme-user", "acme", SmcpRole.TenantUser),
        [AcmeOtherUser] = new SmcpPrincipal("key:acme-other", "acme", SmcpRole.TenantUser),
        [AcmeReader] = new SmcpPrincipal("key:acme-reader", "acme", SmcpRole.ReadOnly),
        [OtherTenantUser] = new SmcpPrincipal("key:other-user", "other", SmcpRole.TenantUser),
        [Admin] = new SmcpPrincipal("admin", null, SmcpRole.PlatformAdmin),
        [ReuseUser] = new SmcpPrincipal("key:reuse-user", "reuse", SmcpRole.TenantUser),
    };

    public Task<CredentialCheck> ValidateAsync(string bearerToken, IPAddress? client, CancellationToken cancellationToken) =>
        Task.FromResult(Principals.TryGetValue(bearerToken, out var principal) ? CredentialCheck.Valid(principal) : CredentialCheck.Invalid);
}

/// <summary>The servers of the test host, by tenant and server name.</summary>
internal sealed class TestCatalog : IServerCatalog
{
    private readonly ConcurrentDictionary<(string, string), McpServerTarget> _targets = new();
    private readonly ConcurrentDictionary<string, bool> _suspended = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _found = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string), int> _lookups = new();

    /// <summary>How often the proxy looked <paramref name="server"/> up (in SMCP a database read and a secrets decryption each time).</summary>
    public int Lookups(string tenant, string server) => _lookups.GetValueOrDefault((tenant, server));

    public void Add(string tenant, string server, McpServerTarget target) => _targets[(tenant, server)] = target;

    public void Suspend(string tenant) => _suspended[tenant] = true;

    /// <summary>Completes the next time a target of <paramref name="tenant"/> is handed out, i.e. once an initialize is past the tenant check and opening.</summary>
    public Task NextFound(string tenant) => _found.GetOrAdd(tenant, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public bool IsActive(string tenant) => !_suspended.ContainsKey(tenant);

    public McpServerTarget Target(string tenant, string server) => _targets[(tenant, server)];

    public Task<(McpServerTarget? Target, TargetRefusal? Refusal)> FindAsync(string tenant, string server, CancellationToken cancellationToken)
    {
        _lookups.AddOrUpdate((tenant, server), 1, (_, count) => count + 1);
        if (_suspended.ContainsKey(tenant))
        {
            return Task.FromResult<(McpServerTarget?, TargetRefusal?)>((null, TargetRefusal.TenantSuspended));
        }

        if (!_targets.TryGetValue((tenant, server), out var target))
        {
            return Task.FromResult<(McpServerTarget?, TargetRefusal?)>((null, TargetRefusal.NotFound));
        }

        if (_found.TryRemove(tenant, out var found))
        {
            found.SetResult();
        }

        return Task.FromResult<(McpServerTarget?, TargetRefusal?)>((target, null));
    }

    public static McpServerTarget For(string image, string tenant, string server, string runtime, int warm = 1, int limit = 200,
        TimeSpan? idle = null, int perMinute = 0, int startsPerMinute = 0, TimeSpan? reclaimAfter = null) =>
        new(new SandboxSpec { Image = image, Tenant = tenant, Server = server, Runtime = runtime },
            new PoolPolicy(warm, limit), idle ?? TimeSpan.FromMinutes(10), perMinute)
        {
            SessionStartsPerMinute = startsPerMinute,
            ReclaimIdleAfter = reclaimAfter ?? TimeSpan.FromSeconds(30),
        };
}

/// <summary>Keeps what the proxy recorded, for assertions.</summary>
internal sealed class TestRecorder : IProxyRecorder
{
    public ConcurrentQueue<McpAuditEvent> Audit { get; } = new();

    public ConcurrentDictionary<string, string> Opened { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, string> Ended { get; } = new(StringComparer.Ordinal);

    public ValueTask AuditAsync(McpAuditEvent auditEvent, CancellationToken cancellationToken)
    {
        Audit.Enqueue(auditEvent);
        return ValueTask.CompletedTask;
    }

    public Task SessionOpenedAsync(string tenant, string server, string sessionId, string principal, string sandboxId, CancellationToken cancellationToken)
    {
        Opened[sessionId] = sandboxId;
        return Task.CompletedTask;
    }

    public Task SessionEndedAsync(string tenant, string sessionId, string reason, CancellationToken cancellationToken)
    {
        Ended[sessionId] = reason;
        return Task.CompletedTask;
    }

    public ConcurrentQueue<ToolPinObservation> Pins { get; } = new();

    public Task PinsObservedAsync(ToolPinObservation observation, CancellationToken cancellationToken)
    {
        Pins.Enqueue(observation);
        return Task.CompletedTask;
    }
}
