using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Replicas;

public static class ReplicaExtensions
{
    /// <summary>Adds what forwarding between replicas needs; the directory is unshared (one process) unless the host registers its own.</summary>
    public static IServiceCollection AddSmcpReplicas(this IServiceCollection services, Action<ReplicaOptions>? configure = null)
    {
        var options = services.AddOptions<ReplicaOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton<ISessionDirectory, UnsharedSessionDirectory>();
        services.AddHttpForwarder();
        services.TryAddSingleton(sp => new ReplicaHop(sp.GetRequiredService<IOptions<ReplicaOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ReplicaClient>();
        return services;
    }

    /// <summary>The internal listener's gate, and the refusal of hop headers on every other listener; before any endpoint.</summary>
    public static IApplicationBuilder UseSmcpReplicaHops(this IApplicationBuilder app) => app.UseMiddleware<ReplicaHopMiddleware>();
}
