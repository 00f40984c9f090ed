using System.Diagnostics;
using System.Diagnostics.Metrics;
using Smcp.Sandbox.Telemetry;

namespace Smcp.Proxy.Telemetry;

/// <summary>
/// The MCP path's instruments in the <c>Smcp.Proxy</c> meter: each answered request by tenant, method and outcome with its
/// latency, and the live sessions per tenant. Tenants come from the credential, methods are bucketed (<see cref="McpMethods"/>),
/// outcomes are the proxy's own words: no tag carries what a client wrote.
/// </summary>
internal sealed class ProxyMetrics
{
    public const string MeterName = Limits.RefusalMetrics.MeterName;
    public const string RequestDurationName = "smcp.mcp.request.duration";
    public const string ActiveSessionsName = "smcp.mcp.sessions.active";

    /// <summary>From 1 ms (a cached answer) to 5 min (a long tool call); the request deadline is 30 min by default.</summary>
    private static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    private readonly Meter _meter;
    private readonly Histogram<double> _duration;

    public ProxyMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _duration = _meter.CreateHistogram(
            RequestDurationName, "s", "MCP requests from the proxy's receipt to its answer, by tenant, method and outcome",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    /// <summary>Counts one answered request (by the server or by the proxy: timeout, cancel, refusal, session end).</summary>
    public void Answered(string tenant, string method, string outcome, TimeSpan elapsed) =>
        _duration.Record(elapsed.TotalSeconds, new TagList
        {
            { TelemetryTags.Tenant, tenant },
            { TelemetryTags.Method, McpMethods.Bucket(method) },
            { TelemetryTags.Outcome, outcome },
        });

    /// <summary>Reports the live sessions per tenant from <paramref name="tenants"/>, read at each collection.</summary>
    public void ObserveSessions(Func<IEnumerable<string>> tenants) =>
        _meter.CreateObservableGauge(ActiveSessionsName, () => TelemetryTags.PerTenant(tenants()), "{session}", "Live MCP sessions, by tenant");
}
