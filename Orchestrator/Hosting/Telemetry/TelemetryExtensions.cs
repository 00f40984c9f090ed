using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using Smcp.Orchestrator.Api;
using Smcp.Proxy.Limits;
using Smcp.Sandbox.Telemetry;

namespace Smcp.Orchestrator.Hosting.Telemetry;

/// <summary>OpenTelemetry metrics of the three SMCP meters, ASP.NET Core and the runtime, scraped by Prometheus at <c>/metrics</c>.</summary>
internal static class TelemetryExtensions
{
    public const string MetricsPath = "/metrics";

    public static IServiceCollection AddSmcpTelemetry(this IServiceCollection services)
    {
        services.AddSingleton<AuditMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(RefusalMetrics.MeterName, ApiMetrics.ApiMeterName, SandboxMetrics.MeterName)
            .AddInstrumentation(sp => sp.GetRequiredService<SandboxMetrics>())
            .AddInstrumentation(sp => sp.GetRequiredService<AuditMetrics>())
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .ExportOnlyThisHostsMeters()

            // The runtime's gauges end in ".count", which Prometheus keeps for histograms: renamed so promtool's lint passes.
            .AddView("dotnet.assembly.count", "dotnet.assemblies.loaded")
            .AddView("dotnet.process.cpu.count", "dotnet.process.cpus")
            .AddView("dotnet.thread_pool.thread.count", "dotnet.thread_pool.threads")
            .AddView("dotnet.timer.count", "dotnet.timers")

            // Every scrape reads the gauges afresh; only the admin may scrape, so there is no flood to cache against.
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    /// <summary>
    /// Meters are process-wide: a provider that listens by name alone also picks up the same-named meters of another host in the
    /// process, and when that host stops, disposing its meters deactivates the metric streams both share. Instruments from a meter
    /// another host's <see cref="IMeterFactory"/> made are dropped; process-wide meters (the runtime's, no factory) are kept.
    /// </summary>
    private static MeterProviderBuilder ExportOnlyThisHostsMeters(this MeterProviderBuilder metrics) =>
        ((IDeferredMeterProviderBuilder)metrics).Configure((services, builder) =>
        {
            var ours = services.GetRequiredService<IMeterFactory>();
            builder.AddView(instrument => instrument.Meter.Scope is { } scope && !ReferenceEquals(scope, ours) ? MetricStreamConfiguration.Drop : null);
        });

    /// <summary>Maps <c>GET /metrics</c> (Prometheus text format) behind <see cref="MetricsAccess"/>.</summary>
    public static IEndpointRouteBuilder MapSmcpMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath, meterProvider: null, configureBranchedPipeline: app => app.Use(MetricsAccess.AdmitAsync), optionsName: null)
            .ExcludeFromDescription();
        return endpoints;
    }
}
