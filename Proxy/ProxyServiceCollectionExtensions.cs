using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Smcp.Proxy.Auth;
using Smcp.Proxy.Guard;
using Smcp.Proxy.Http;
using Smcp.Proxy.Limits;
using Smcp.Proxy.Logs;
using Smcp.Proxy.Replicas;
using Smcp.Proxy.Sessions;
using Smcp.Proxy.Telemetry;

namespace Smcp.Proxy;

public static class ProxyServiceCollectionExtensions
{
    /// <summary>Adds the MCP proxy: sessions, the idle reaper, per-tenant rate limits and session-start limits.</summary>
    /// <remarks>
    /// Needs the Sandbox layer (<c>AddSmcpSandbox</c>) and implementations of the ports in
    /// <see cref="Ports"/>: <see cref="Ports.ICredentialValidator"/> (API keys), <see cref="Ports.ITokenIssuers"/> (whose OAuth access
    /// tokens are accepted), <see cref="Ports.IServerCatalog"/>, <see cref="Ports.IProxyRecorder"/>.
    /// </remarks>
    public static IServiceCollection AddSmcpProxy(this IServiceCollection services, Action<ProxyOptions>? configure = null)
    {
        var options = services.AddOptions<ProxyOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>());
        options.ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ToolGuard>();
        services.TryAddSingleton<ServerLogBook>();
        services.TryAddSingleton<IServerLogs>(sp => sp.GetRequiredService<ServerLogBook>());
        services.TryAddSingleton<SessionStore>();
        services.TryAddSingleton<IMcpSessionControl, McpSessionControl>();
        services.TryAddSingleton<TenantRateLimiter>();
        services.TryAddSingleton<SessionStartLimiter>();
        services.TryAddSingleton<TenantBudgets>();
        services.TryAddSingleton<PreAuthLimiter>();
        services.AddMetrics();
        services.TryAddSingleton<RefusalMetrics>();
        services.TryAddSingleton<ProxyMetrics>();
        services.TryAddSingleton<AccessTokenValidator>();
        services.TryAddSingleton<RequestGuard>();
        services.TryAddSingleton<SessionOpener>();
        services.TryAddSingleton<StatelessRequests>();
        services.TryAddSingleton<StreamableHttpEndpoint>();
        services.AddSmcpReplicas();
        services.TryAddSingleton<LegacySseEndpoint>();
        services.TryAddSingleton<ProtectedResourceMetadata>();
        services.AddHostedService<IdleSessionReaper>();
        services.AddHostedService<SessionShutdown>();
        return services;
    }

    /// <summary>
    /// Maps <c>/t/{tenant}/{server}/mcp</c> (Streamable HTTP: POST, GET, DELETE), the 2024-11-05
    /// HTTP+SSE transport (GET <c>/t/{tenant}/{server}/sse</c>, POST <c>/t/{tenant}/{server}/messages</c>),
    /// and the protected resource metadata (RFC 9728): each endpoint's, and the root one of the host.
    /// </summary>
    public static IEndpointConventionBuilder MapSmcpProxy(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/t/{tenant}/{server}");
        group.MapPost("/mcp", (HttpContext c, string tenant, string server, StreamableHttpEndpoint e) => e.PostAsync(c, tenant, server))
            .AddEndpointFilter<SessionForwarder>();
        group.MapGet("/mcp", (HttpContext c, string tenant, string server, StreamableHttpEndpoint e) => e.GetAsync(c, tenant, server))
            .AddEndpointFilter<SessionForwarder>();
        group.MapDelete("/mcp", (HttpContext c, string tenant, string server, StreamableHttpEndpoint e) => e.DeleteAsync(c, tenant, server))
            .AddEndpointFilter<SessionForwarder>();
        group.MapGet("/sse", (HttpContext c, string tenant, string server, LegacySseEndpoint e) => e.GetAsync(c, tenant, server));
        group.MapPost("/messages", (HttpContext c, string tenant, string server, LegacySseEndpoint e) => e.PostAsync(c, tenant, server));
        endpoints.MapGet(ProtectedResourceMetadata.PathPrefix + "/t/{tenant}/{server}/mcp",
            (HttpContext c, string tenant, string server, ProtectedResourceMetadata m) => m.GetAsync(c, tenant, server));
        endpoints.MapGet(ProtectedResourceMetadata.PathPrefix, (HttpContext c, ProtectedResourceMetadata m) => m.GetRootAsync(c));
        return group;
    }
}
