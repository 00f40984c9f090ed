using Smcp.Orchestrator.Audit;
using Smcp.Orchestrator.Data;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Servers;

/// <summary>The proxy's audit, session and tool pin rows, into Postgres: audit through the batching writer, which never drops.</summary>
internal sealed class ProxyRecorder(AuditWriter audit, SessionStore sessions, ToolPinStore pins) : IProxyRecorder
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

    public Task SessionEndedAsync(string tenant, string sessionId, string reason, CancellationToken cancellationToken) =>
        sessions.EndAsync(tenant, sessionId, reason, cancellationToken);

    public Task PinsObservedAsync(ToolPinObservation observation, CancellationToken cancellationToken) =>
        pins.RecordAsync(observation, cancellationToken);
}
