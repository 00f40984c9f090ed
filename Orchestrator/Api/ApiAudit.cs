using Smcp.Orchestrator.Audit;

namespace Smcp.Orchestrator.Api;

/// <summary>Every control-plane action is an audit row, committed before the caller hears back.</summary>
internal static class ApiAudit
{
    public static Task RecordAsync(this HttpContext context, string tenant, string action, string? target, string outcome) =>
        context.RequestServices.GetRequiredService<AuditWriter>().WriteAsync(
            new AuditRecord
            {
                TenantId = tenant,
                At = DateTimeOffset.UtcNow,
                Principal = context.Principal().Id,
                Action = action,
                Target = target,
                Outcome = outcome,
                BytesIn = context.Request.ContentLength ?? 0,
            },
            CancellationToken.None);
}
