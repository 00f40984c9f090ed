using System.Net;
using System.Text.Json;
using Smcp.Sandbox;
using Smcp.Sandbox.Pool;

namespace Smcp.Proxy.Ports;

/// <summary>Turns a bearer credential (API key or OAuth access token) into a principal.</summary>
public interface ICredentialValidator
{
    /// <summary>The principal, or why there is none.</summary>
    /// <param name="bearerToken">The credential as sent.</param>
    /// <param name="client">The caller's address: a lookup that could reach the database is paid for from its pre-authentication budget.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    Task<CredentialCheck> ValidateAsync(string bearerToken, IPAddress? client, CancellationToken cancellationToken);
}

/// <summary>What a credential check found: a principal, an invalid credential, or no budget left to look it up.</summary>
/// <param name="Principal">The caller; null when the credential is not valid or was not looked up.</param>
/// <param name="RetryAfter">Set when the lookup was refused by the pre-authentication budget: when to try again.</param>
public readonly record struct CredentialCheck(SmcpPrincipal? Principal, TimeSpan? RetryAfter)
{
    public static CredentialCheck Invalid => default;

    public static CredentialCheck Valid(SmcpPrincipal principal) => new(principal, null);

    public static CredentialCheck Throttled(TimeSpan retryAfter) => new(null, retryAfter);
}

/// <summary>What the proxy needs to know about a deployed server to run a session of it.</summary>
/// <param name="Spec">The sandbox to start, secrets already in its environment.</param>
/// <param name="Pool">Warm pool size and the tenant's ceiling on live sandboxes (its maxSessions).</param>
/// <param name="IdleTimeout">A session with no request for this long is ended.</param>
/// <param name="RequestsPerMinute">The tenant's MCP request rate limit.</param>
public sealed record McpServerTarget(SandboxSpec Spec, PoolPolicy Pool, TimeSpan IdleTimeout, int RequestsPerMinute)
{
    /// <summary>The tenant's sandbox starts per minute: each initialize that starts or takes a sandbox costs one; 0 or less means no limit.</summary>
    public int SessionStartsPerMinute { get; init; }

    /// <summary>At the tenant's limit of sandboxes, its least recently active session idle at least this long is ended for a new one.</summary>
    public TimeSpan ReclaimIdleAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>What the tool-definition scan does to this server's listings: <c>toolScan</c> in smcp.yaml, by server, tenant, then defaults.</summary>
    public ToolScanPolicy ToolScan { get; init; } = ToolScanPolicy.Warn;

    /// <summary>What a difference from the pinned tools does: <c>toolPinning</c> in smcp.yaml; off unless the host sets it.</summary>
    public ToolPinningPolicy ToolPinning { get; init; } = ToolPinningPolicy.Off;

    /// <summary>What defines the server's behaviour (image, arguments, environment), as a hash: recorded with its pins.</summary>
    public string Version { get; init; } = "";

    /// <summary>The server's approved pins when the session starts; null when it has none yet (its first listing is pinned).</summary>
    public ToolPinSet? Pins { get; init; }

    /// <summary>Which tools each role may call: <c>servers.{name}.tools</c> in smcp.yaml.</summary>
    public ToolPolicy Tools { get; init; } = ToolPolicy.None;

    /// <summary>Whether this server's tool results are scanned for its secrets and credential shapes: <c>servers.{name}.outputGuard</c>.</summary>
    public OutputGuardMode OutputGuard { get; init; } = OutputGuardMode.Off;

    /// <summary>The values of the server's secrets, for the output guard to find in its answers and to redact from its stderr logs. Never logged.</summary>
    public IReadOnlyList<string> SecretValues { get; init; } = [];
}

/// <summary>Why a tenant's server cannot be reached.</summary>
public enum TargetRefusal
{
    NotFound,
    TenantSuspended,
}

/// <summary>Finds the deployed server behind <c>/t/{tenant}/{server}/mcp</c>.</summary>
public interface IServerCatalog
{
    /// <summary>The target, or the reason there is none.</summary>
    Task<(McpServerTarget? Target, TargetRefusal? Refusal)> FindAsync(string tenant, string server, CancellationToken cancellationToken);

    /// <summary>Whether the tenant may use its servers now.</summary>
    /// <remarks>Asked on every request to a live session: answered from memory that configuration changes update, never by a store round trip.</remarks>
    bool IsActive(string tenant);
}

/// <summary>One MCP request or session event, for the audit log.</summary>
public sealed record McpAuditEvent(
    string Tenant, string Principal, string? SessionId, string Method, string? Target, string Outcome,
    double LatencyMs, long BytesIn, long BytesOut)
{
    /// <summary>What else the row records, e.g. the tool-definition scan's findings on a listing; bounded in size by whoever sets it.</summary>
    public JsonElement? Detail { get; init; }
}

/// <summary>Where the proxy reports what happened: audit rows and session rows.</summary>
public interface IProxyRecorder
{
    /// <summary>Queues an audit row; waits only when the writer is full (back-pressure), never drops.</summary>
    ValueTask AuditAsync(McpAuditEvent auditEvent, CancellationToken cancellationToken);

    Task SessionOpenedAsync(string tenant, string server, string sessionId, string principal, string sandboxId, CancellationToken cancellationToken);

    Task SessionEndedAsync(string tenant, string sessionId, string reason, CancellationToken cancellationToken);

    /// <summary>Keeps a listing for tool pinning: the first pins of a server, or a pending change; once per distinct listing.</summary>
    Task PinsObservedAsync(ToolPinObservation observation, CancellationToken cancellationToken);
}
