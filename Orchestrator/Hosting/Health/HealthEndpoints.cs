using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Smcp.Orchestrator.Hosting.Health;

/// <summary><c>GET /healthz</c> (the process answers) and <c>GET /readyz</c> (Postgres, migrations, the engine and its runtimes), with the framework's health checks.</summary>
/// <remarks>Both are open, as a load balancer or an orchestrator probes them: the answer names each check and its state, never a host, a connection string or an error's text.</remarks>
internal static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    /// <summary>How long each readiness check may take before it counts as failed.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(3);

    public static IServiceCollection AddSmcpHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<PostgresReadiness>("postgres", tags: [ReadyTag], timeout: CheckTimeout)
            .AddCheck<MigrationReadiness>("migrations", tags: [ReadyTag], timeout: CheckTimeout)
            .AddCheck<EngineReadiness>("engine", tags: [ReadyTag], timeout: CheckTimeout);
        return services;
    }

    public static IEndpointRouteBuilder MapSmcpHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync }).ExcludeFromDescription();
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync }).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", Name(report.Status));
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", Name(entry.Status));
            json.WriteString("description", entry.Description ?? (entry.Exception is null ? "" : "failed: " + entry.Exception.GetType().Name));
            json.WriteNumber("ms", Math.Round(entry.Duration.TotalMilliseconds, 1));
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
