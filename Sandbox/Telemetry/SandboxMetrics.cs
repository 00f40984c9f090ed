using System.Diagnostics;
using System.Diagnostics.Metrics;
using Smcp.Sandbox.Pool;

namespace Smcp.Sandbox.Telemetry;

/// <summary>
/// The <c>Smcp.Sandbox</c> meter: sandboxes waiting in the warm pool and held by sessions per tenant (read from the pool at
/// each collection), and every start with its latency. Tenants are those of the deployed specs, the set smcp.yaml names.
/// </summary>
public sealed class SandboxMetrics
{
    public const string MeterName = "Smcp.Sandbox";
    public const string PooledName = "smcp.sandbox.pooled";
    public const string ActiveName = "smcp.sandbox.active";
    public const string StartDurationName = "smcp.sandbox.start.duration";

    /// <summary>The start kind's tag: <c>warm</c> (a pool refill) or <c>cold</c> (a session waits on it).</summary>
    public const string KindTag = "smcp.sandbox.start";

    /// <summary>A runc start takes about 1 s, a gVisor one 2 to 8 s; the start timeout is 60 s.</summary>
    private static readonly double[] StartBuckets = [0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60];

    private readonly Histogram<double> _startDuration;

    public SandboxMetrics(WarmPool pool, IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _startDuration = meter.CreateHistogram(
            StartDurationName, "s", "Sandbox starts (create, attach, start) by tenant, kind and outcome, and how long each took",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StartBuckets });
        meter.CreateObservableGauge(PooledName, () => Measure(pool, u => u.Pooled), "{sandbox}", "Started sandboxes waiting in the warm pool, by tenant");
        meter.CreateObservableGauge(ActiveName, () => Measure(pool, u => u.Active), "{sandbox}", "Sandboxes a session holds or is starting, by tenant");
        pool.Started += Record;
    }

    private void Record(SandboxStarted start) =>
        _startDuration.Record(start.Elapsed.TotalSeconds, new TagList
        {
            { TelemetryTags.Tenant, start.Tenant },
            { KindTag, start.Warm ? "warm" : "cold" },
            { TelemetryTags.Outcome, start.Succeeded ? "ok" : "failed" },
        });

    private static IEnumerable<Measurement<int>> Measure(WarmPool pool, Func<(string Tenant, int Pooled, int Active), int> value) =>
        pool.Usage().Select(u => new Measurement<int>(value(u), new KeyValuePair<string, object?>(TelemetryTags.Tenant, u.Tenant)));
}
