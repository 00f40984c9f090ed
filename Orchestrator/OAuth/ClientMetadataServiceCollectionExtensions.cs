using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Smcp.Orchestrator.OAuth;

internal static class ClientMetadataServiceCollectionExtensions
{
    /// <summary>Registers <see cref="ClientMetadataDocuments"/>, which reads its settings from the registered <see cref="Config.ConfigMonitor"/>.</summary>
    public static IServiceCollection AddSmcpClientMetadataDocuments(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ClientMetadataDocuments>();
        return services;
    }
}
