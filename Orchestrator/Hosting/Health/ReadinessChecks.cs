using Docker.DotNet;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Data;
using Smcp.Sandbox;

namespace Smcp.Orchestrator.Hosting.Health;

/// <summary>Postgres answers the application role.</summary>
internal sealed class PostgresReadiness(NpgsqlDataSource database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = database.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy("answers");
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("does not answer the smcp_app role: " + ex.GetType().Name);
        }
    }
}

/// <summary>Every schema file is applied, byte for byte (read with the owner role, which migrations run as).</summary>
internal sealed class MigrationReadiness(ConfigMonitor config) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (config.Current.Postgres.OwnerConnectionString is not { } owner)
        {
            return HealthCheckResult.Unhealthy("postgres.ownerConnectionString is not set");
        }

        try
        {
            var pending = await SchemaMigrator.PendingAsync(owner, cancellationToken);
            return pending.Count == 0
                ? HealthCheckResult.Healthy("all applied")
                : HealthCheckResult.Unhealthy($"not applied: {string.Join(", ", pending)}; restart smcp serve to apply them");
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("cannot be read with the smcp_owner role: " + ex.GetType().Name);
        }
    }
}

/// <summary>The container engine answers, and has every runtime smcp.yaml names (the defaults' and each tenant's).</summary>
/// <remarks>On Kubernetes the engine checks the cluster (API server, RuntimeClass, NetworkPolicy) once, at start-up, and this reports that check.</remarks>
internal sealed class EngineReadiness(IDockerClient docker, ISandboxEngine engine, IOptions<SandboxOptions> sandbox, ConfigMonitor config) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (sandbox.Value.Engine == SandboxEngines.Kubernetes)
        {
            try
            {
                foreach (var runtime in Runtimes(config.Current))
                {
                    await engine.EnsureRuntimeAsync(runtime, cancellationToken);
                }

                return HealthCheckResult.Healthy("the Kubernetes cluster answered, with its RuntimeClass and NetworkPolicy");
            }
            catch (SandboxException ex)
            {
                return HealthCheckResult.Unhealthy(ex.Message);
            }
        }

        try
        {
            var info = await docker.System.GetSystemInfoAsync(cancellationToken);
            var current = config.Current;
            var missing = Runtimes(current)
                .Where(runtime => info.Runtimes is null || !info.Runtimes.ContainsKey(runtime))
                .Order(StringComparer.Ordinal)
                .ToList();
            return missing.Count == 0
                ? HealthCheckResult.Healthy("answers, with every configured runtime")
                : HealthCheckResult.Unhealthy($"lacks the runtime {string.Join(", ", missing)} that smcp.yaml names");
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return HealthCheckResult.Unhealthy("does not answer: " + ex.GetType().Name);
        }
    }

    private static IEnumerable<string> Runtimes(SmcpConfig current) =>
        current.Tenants.Select(t => t.Quotas.Runtime).Append(current.Defaults.Runtime).Distinct(StringComparer.Ordinal);
}
