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
using Smcp.Orchestrator.Replicas;
using Smcp.Orchestrator.Secrets;
using Smcp.Orchestrator.Servers;
using Smcp.Proxy;
using Smcp.Proxy.Ports;
using Smcp.Proxy.Replicas;
using Smcp.Sandbox;

namespace Smcp.Orchestrator.Hosting;

/// <summary>The composition root: one process serving the tenant API and the MCP proxy, or one of the two (<see cref="ServeRole"/>).</summary>
internal static class SmcpApp
{
    public const string SuperuserVariable = "SMCP_PG_SUPERUSER";

    /// <summary>Prepares the database (bootstrap when a superuser connection is given, then migrations) and builds the app.</summary>
    /// <exception cref="InvalidOperationException">A setting is missing; the message says which.</exception>
    public static async Task<WebApplication> BuildAsync(string configPath, ConfigResult loaded, string[] args, CancellationToken ct, ServeRole role = ServeRole.All)
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
        var replicas = ReadReplicaOptions(builder.Configuration, config, role);
        var endedAtStart = replicas.Enabled
            ? await ReplicaLease.RegisterAsync(app, replicas, config.Tenants.Select(t => t.Id), ct).ConfigureAwait(false)
            : 0;
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.WebHost.UseUrls([.. config.Listen, .. replicas.Enabled ? [replicas.InternalListen!] : Array.Empty<string>()]);
        builder.Services.AddSingleton(masterKey);
        builder.Services.AddSingleton<SecretBox>();
        builder.Services.AddSingleton(AdminKey.FromEnvironment());
        builder.Services.AddSmcpConfig(configPath, loaded);
        builder.Services.AddSmcpData(o => o.ConnectionString = app, o => builder.Configuration.GetSection(AuditWriterOptions.Section).Bind(o));
        builder.Services.AddSmcpSandbox(o =>
        {
            builder.Configuration.GetSection(SandboxOptions.Section).Bind(o);
            // The label its start-up reconciliation removes by: a replica's own id; the control plane runs no sandboxes.
            o.InstanceId = role == ServeRole.Control ? config.InstanceId + "-control" : replicas.Id!;
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
        AddReplicas(builder.Services, replicas, role);
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
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<PoolWarmer>(sp, role != ServeRole.Control));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PoolWarmer>());

        builder.Services.AddSmcpOAuthPages(o => builder.Configuration.GetSection(OAuthPagesOptions.Section).Bind(o));
        builder.Services.AddSmcpHealth();
        builder.Services.AddSmcpTelemetry();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        var web = builder.Build();
        if (replicas.Enabled)
        {
            HostLog.ReplicaRegistered(web.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Smcp.Orchestrator.Replicas"), replicas.Id!,
                replicas.AdvertisedAddress.GetLeftPart(UriPartial.Authority), endedAtStart);
        }

        web.UseExceptionHandler();
        web.UseSmcpReplicaHops();

        // Refusals the framework makes itself (an unknown path 404, a method the route does not take 405, a body of the
        // wrong media type 415) carry no body; this gives each a problem detail, as every other refusal has.
        web.UseStatusCodePages();
        web.MapSmcpHealth();
        web.MapSmcpMetrics();
        if (role != ServeRole.Control)
        {
            web.MapSmcpProxy();
        }

        if (role == ServeRole.Proxy)
        {
            return web;
        }

        web.MapOpenApi("/openapi/v1.json");
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
        return web;
    }

    /// <summary>The <c>Replicas</c> settings, the id defaulting to smcp.yaml's instanceId and the secret from the environment only.</summary>
    /// <exception cref="InvalidOperationException">They are not usable; the message lists every mistake.</exception>
    private static ReplicaOptions ReadReplicaOptions(IConfiguration configuration, SmcpConfig config, ServeRole role)
    {
        var replicas = new ReplicaOptions();
        configuration.GetSection(ReplicaOptions.Section).Bind(replicas);
        replicas.Id ??= config.InstanceId;
        replicas.Secret = Environment.GetEnvironmentVariable(ReplicaOptions.SecretVariable);
        var problems = replicas.Problems(config.Listen).ToList();
        if (role == ServeRole.Control && replicas.Enabled)
        {
            problems.Add($"{ReplicaOptions.Section}:InternalListen is for proxy replicas; --role control serves no MCP sessions.");
        }

        return problems.Count == 0 ? replicas : throw new InvalidOperationException(string.Join(Environment.NewLine, problems));
    }

    /// <summary>
    /// Among replicas: the Postgres session directory (forwarding and maxSessions over all of them). Shared rate windows
    /// wherever more than one process serves the tenants: among replicas, and always in a split (proxy or control) deployment.
    /// </summary>
    private static void AddReplicas(IServiceCollection services, ReplicaOptions replicas, ServeRole role)
    {
        services.AddSmcpReplicas(o =>
        {
            o.Id = replicas.Id;
            o.InternalListen = replicas.InternalListen;
            o.InternalAddress = replicas.InternalAddress;
            o.Lease = replicas.Lease;
            o.Heartbeat = replicas.Heartbeat;
            o.ConnectTimeout = replicas.ConnectTimeout;
            o.SignatureWindow = replicas.SignatureWindow;
            o.Secret = replicas.Secret;
        });
        if (replicas.Enabled)
        {
            services.AddSingleton(replicas);
            services.AddSingleton<ISessionDirectory, ReplicaDirectory>();
            services.AddSingleton<ReplicaLease>();
            services.AddHostedService(sp => sp.GetRequiredService<ReplicaLease>());
        }

        if (replicas.Enabled || role != ServeRole.All)
        {
            services.AddSingleton<ISharedRateWindows, PostgresRateWindows>();
        }
    }
}
