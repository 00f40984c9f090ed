using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Smcp.Orchestrator.Audit;

namespace Smcp.Orchestrator.Data;

internal sealed class DataOptions
{
    public const string Section = "Database";

    /// <summary>How the services log in: the smcp_app role (not owner, no BYPASSRLS).</summary>
    public string ConnectionString { get; set; } = "";
}

internal static class DataServiceCollectionExtensions
{
    /// <summary>Adds the app-role data source, the tenant unit of work, the stores and the audit writer (a hosted service).</summary>
    public static IServiceCollection AddSmcpData(this IServiceCollection services, Action<DataOptions>? configure = null, Action<AuditWriterOptions>? configureAudit = null)
    {
        var data = services.AddOptions<DataOptions>();
        if (configure is not null)
        {
            data.Configure(configure);
        }

        data.Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString),
            $"{DataOptions.Section}:ConnectionString is empty: set it to the smcp_app role's connection string.").ValidateOnStart();
        var audit = services.AddOptions<AuditWriterOptions>();
        if (configureAudit is not null)
        {
            audit.Configure(configureAudit);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuditWriterOptions>, AuditWriterOptionsValidator>());
        audit.ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<DataOptions>>().Value.ConnectionString));
        services.TryAddSingleton(sp => new TenantDb(sp.GetRequiredService<NpgsqlDataSource>()));
        services.TryAddSingleton<TenantStore>();
        services.TryAddSingleton<ApiKeyStore>();
        services.TryAddSingleton<ImageStore>();
        services.TryAddSingleton<ServerStore>();
        services.TryAddSingleton<SecretStore>();
        services.TryAddSingleton<DataKeyStore>();
        services.TryAddSingleton<SessionStore>();
        services.TryAddSingleton<ToolPinStore>();
        services.TryAddSingleton<AuditQuery>();
        services.TryAddSingleton<AuditVerifier>();
        services.TryAddSingleton<AuditWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditWriter>());
        return services;
    }
}
