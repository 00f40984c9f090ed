using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Smcp.Orchestrator.Config;

internal static class ConfigServiceCollectionExtensions
{
    /// <summary>Registers the <see cref="ConfigMonitor"/> over <paramref name="path"/>, starting from the already validated <paramref name="initial"/>.</summary>
    /// <remarks>Load first with <see cref="ConfigLoader.Load"/> and exit on errors: a server must not start on a broken smcp.yaml.</remarks>
    public static IServiceCollection AddSmcpConfig(
        this IServiceCollection services, string path, ConfigResult initial, Func<ConfigMonitorOptions, ConfigMonitorOptions>? configure = null)
    {
        var options = configure is null ? new ConfigMonitorOptions() : configure(new ConfigMonitorOptions());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ConfigMonitor(
            path, initial, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ConfigMonitor>>(), options));
        services.AddHostedService(sp => sp.GetRequiredService<ConfigMonitor>());
        return services;
    }
}
