using Smcp.Orchestrator.Audit;
using Smcp.Orchestrator.Data;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Servers;

/// <summary>The proxy's audit, session and tool pin rows, into Postgres: audit through the batching writer, which never drops; an ended session also leaves the replicas' directory.</summary>
internal sealed class ProxyRecorder(AuditWriter audit, SessionStore sessions, ToolPinStore pins, ISessionDirectory directory) : IProxyRecorder
{
    public ValueTask AuditAsync(McpAuditEvent auditEvent, CancellationToken cancellationToken) =>
        audit.EnqueueAsync(
            new AuditRecord
            {
                TenantId = auditEvent.Tenant,
                At = DateTimeOffset.UtcNow,
                Principal = auditEvent.Principal,
                SessionId = auditEvent.SessionId,
                Action = auditEvent.Method,
                Target = auditEvent.Target,
                Outcome = auditEvent.Outcome,
                LatencyMs = auditEvent.LatencyMs,
                BytesIn = auditEvent.BytesIn,
                BytesOut = auditEvent.BytesOut,
                Detail = auditEvent.Detail,
            },
            cancellationToken);

    public Task SessionOpenedAsync(string tenant, string server, string sessionId, string principal, string sandboxId, CancellationToken cancellationToken) =>
        sessions.OpenAsync(tenant, sessionId, server, principal, sandboxId, cancellationToken);

    /// <remarks>The session row is ended before its directory row goes, so a sweep never sees an open session row that no replica holds.</remarks>
    public async Task SessionEndedAsync(string tenant, string sessionId, string reason, CancellationToken cancellationToken)
    {
        await sessions.EndAsync(tenant, sessionId, reason, cancellationToken).ConfigureAwait(false);
        await directory.ReleaseAsync(tenant, sessionId, cancellationToken).ConfigureAwait(false);
    }

    public Task PinsObservedAsync(ToolPinObservation observation, CancellationToken cancellationToken) =>
        pins.RecordAsync(observation, cancellationToken);
}
