using Smcp.Orchestrator.Audit;
using Smcp.Orchestrator.Api;
using Smcp.Orchestrator.Auth;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.Dashboard;
using Smcp.Orchestrator.Hosting.Health;
using Smcp.Orchestrator.Hosting.Telemetry;
using Smcp.Orchestrator.Data;
using Smcp.Orchestrator.Images;
using Smcp.Orchestrator.Images.Vetting;
using Smcp.Orchestrator.OAuth;
using Smcp.Orchestrator.OAuth.Clients;
using Smcp.Orchestrator.OAuth.Pages;
using Smcp.Orchestrator.Secrets;
using Smcp.Orchestrator.Servers;
using Smcp.Proxy;
using Smcp.Proxy.Ports;
using Smcp.Sandbox;

namespace Smcp.Orchestrator.Hosting;

/// <summary>The composition root: one process serving the tenant API and the MCP proxy.</summary>
internal static class SmcpApp
{
    public const string SuperuserVariable = "SMCP_PG_SUPERUSER";

    /// <summary>Prepares the database (bootstrap when a superuser connection is given, then migrations) and builds the app.</summary>
    /// <exception cref="InvalidOperationException">A setting is missing; the message says which.</exception>
    public static async Task<WebApplication> BuildAsync(string configPath, ConfigResult loaded, string[] args, CancellationToken ct)
    {
        var config = loaded.Config!;
        var app = config.Postgres.ConnectionString
            ?? throw new InvalidOperationException($"postgres.connectionString is not set in {configPath} (or {PostgresConfig.AppVariable}): the smcp_app role's connection string.");
        var owner = config.Postgres.OwnerConnectionString
            ?? throw new InvalidOperationException($"postgres.ownerConnectionString is not set in {configPath} (or {PostgresConfig.OwnerVariable}): the smcp_owner role's connection string, used for migrations.");
        if (Environment.GetEnvironmentVariable(SuperuserVariable) is { Length: > 0 } superuser)
        {
            var database = new Npgsql.NpgsqlConnectionStringBuilder(app).Database ?? "smcp";
            await DatabaseBootstrap.EnsureAsync(superuser, database, null, null, ct).ConfigureAwait(false);
        }

        await SchemaMigrator.MigrateAsync(owner, ct).ConfigureAwait(false);
        var masterKey = MasterKey.FromEnvironment();

        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.UseUrls([.. config.Listen]);
        builder.Services.AddSingleton(masterKey);
        builder.Services.AddSingleton<SecretBox>();
        builder.Services.AddSingleton(AdminKey.FromEnvironment());
        builder.Services.AddSmcpConfig(configPath, loaded);
        builder.Services.AddSmcpData(o => o.ConnectionString = app, o => builder.Configuration.GetSection(AuditWriterOptions.Section).Bind(o));
        builder.Services.AddSmcpSandbox(o =>
        {
            builder.Configuration.GetSection(SandboxOptions.Section).Bind(o);
            o.InstanceId = config.InstanceId;
            o.DefaultRuntime = config.Defaults.Runtime;
            o.Engine = config.Sandbox.Engine;
            o.Kubernetes = config.Sandbox.Kubernetes;
        });
        builder.Services.AddSmcpProxy(o =>
        {
            builder.Configuration.GetSection(ProxyOptions.Section).Bind(o);
            foreach (var origin in config.AllowedOrigins)
            {
                o.AllowedOrigins.Add(origin);
            }
        });
        builder.Services.AddSmcpClientMetadataDocuments();
        builder.Services.AddSingleton<ServiceClientStore>();
        builder.Services.AddSingleton<CredentialValidator>();
        builder.Services.AddSingleton<ApiMetrics>();
        builder.Services.AddSingleton<ICredentialValidator>(sp => sp.GetRequiredService<CredentialValidator>());
        builder.Services.AddSingleton<IServerCatalog, ServerCatalog>();
        builder.Services.AddSingleton<ConfiguredIssuers>();
        builder.Services.AddSingleton<ITokenIssuers, TrustedIssuers>();
        builder.Services.AddSingleton<IProxyRecorder, ProxyRecorder>();
        builder.Services.AddSmcpOAuth(o => builder.Configuration.GetSection(OAuthServerOptions.Section).Bind(o));
        builder.Services.Configure<UploadSpoolOptions>(builder.Configuration.GetSection("Uploads"));
        builder.Services.AddSingleton<UploadSpooler>();
        builder.Services.AddSingleton<UploadReservations>();
        builder.Services.AddSingleton<ImageVetter>();
        builder.Services.AddHostedService<TenantSync>();
        builder.Services.AddSingleton<PoolWarmer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PoolWarmer>());
        builder.Services.AddSmcpOAuthPages(o => builder.Configuration.GetSection(OAuthPagesOptions.Section).Bind(o));
        builder.Services.AddSmcpHealth();
        builder.Services.AddSmcpTelemetry();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        var web = builder.Build();
        web.UseExceptionHandler();

        // Refusals the framework makes itself (an unknown path 404, a method the route does not take 405, a body of the
        // wrong media type 415) carry no body; this gives each a problem detail, as every other refusal has.
        web.UseStatusCodePages();
        web.MapOpenApi("/openapi/v1.json");
        web.MapSmcpHealth();
        web.MapSmcpMetrics();
        var tenantApi = web.MapGroup("/v1/tenants/{tenant}")
            .AddEndpointFilter(ApiAccess.TenantFilter);
        tenantApi.MapImages();
        tenantApi.MapServers();
        tenantApi.MapPins();
        tenantApi.MapLogs();
        tenantApi.MapKeys();
        tenantApi.MapOAuthClients();
        tenantApi.MapAudit();
        web.MapAdmin();
        web.MapSmcpOAuth();
        web.MapSmcpOAuthPages();
        web.MapSmcpDashboard();
        web.MapSmcpProxy();
        return web;
    }
}
