using System.Diagnostics.Metrics;
using Smcp.Orchestrator.Api;
using Smcp.Orchestrator.Audit;

namespace Smcp.Orchestrator.Hosting.Telemetry;

/// <summary>The audit writer in the <c>Smcp.Orchestrator</c> meter, read at each collection: what waits to be written, and the rows committed.</summary>
internal sealed class AuditMetrics
{
    public const string QueueDepthName = "smcp.audit.queue.depth";
    public const string QueueBytesName = "smcp.audit.queue.bytes";
    public const string RowsWrittenName = "smcp.audit.rows.written";

    public AuditMetrics(AuditWriter writer, IMeterFactory meters)
    {
        var meter = meters.Create(ApiMetrics.ApiMeterName);
        meter.CreateObservableGauge(QueueDepthName, () => writer.Queued, "{record}", "Audit records queued for the writer, not yet in a batch");
        meter.CreateObservableGauge(QueueBytesName, () => writer.QueuedBytes, "By", "Bytes of audit records queued or being written (Audit:QueueBytes bounds it)");
        meter.CreateObservableCounter(RowsWrittenName, () => writer.Written, "{row}", "Audit rows committed since the process started");
    }
}
