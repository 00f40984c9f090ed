using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Smcp.Proxy;
using Smcp.Proxy.Ports;
using Smcp.Sandbox;
using Smcp.Sandbox.Pool;

namespace Smcp.Bench;

/// <summary>
/// The SMCP proxy as the host wires it (AddSmcpSandbox + AddSmcpProxy on Kestrel, 127.0.0.1), with in-memory
/// credentials and catalog. The recorder is the host's real one (AuditWriter into Postgres) when a database is
/// given, switchable at run time to a no-op so both can be measured on the same sessions.
/// </summary>
internal sealed class SmcpHost : IAsyncDisposable
{
    public const string Tenant = "bench";
    public const string Token = "bench-token";

    private static readonly byte[] FloorAnswer = """{"jsonrpc":"2.0","id":0,"result":{"content":[]}}"""u8.ToArray();

    private readonly WebApplication _app;

    private SmcpHost(WebApplication app, SwitchRecorder recorder, ServerTiming timing)
    {
        _app = app;
        Recorder = recorder;
        Timing = timing;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address);
    }

    public Uri BaseUri { get; }

    public IServiceProvider Services => _app.Services;

    public SwitchRecorder Recorder { get; }

    /// <summary>Time spent inside Kestrel's pipeline per MCP POST (server side of the round trip).</summary>
    public ServerTiming Timing { get; }

    public Uri Endpoint(string server) => new(BaseUri, $"/t/{Tenant}/{server}/mcp");

    /// <summary>The issuer whose JWTs the host accepts (the <c>smcp-runc-jwt</c> system's credential).</summary>
    public static BenchIssuer Issuer { get; } = new();

    /// <summary>An endpoint that answers every POST at once: what HTTP alone costs the client and Kestrel.</summary>
    public Uri Floor => new(BaseUri, "/floor");

    public static async Task<SmcpHost> StartAsync(string image, string? auditConnectionString, TimeSpan? auditBatchDelay = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSmcpSandbox(o =>
        {
            o.InstanceId = "smcp-bench-proxy";
            o.DefaultRuntime = SandboxRuntimes.Runc;
            o.StopGracePeriod = TimeSpan.FromSeconds(1);
        });
        builder.Services.AddSmcpProxy(o => o.MaxRequestDuration = TimeSpan.FromMinutes(10));
        builder.Services.AddSingleton<ICredentialValidator, BenchCredentials>();
        builder.Services.AddSingleton<ITokenIssuers>(Issuer);
        builder.Services.AddSingleton<IServerCatalog>(new BenchCatalog(image));
        if (auditConnectionString is not null)
        {
            OrchestratorInternals.AddSmcpData(builder.Services, auditConnectionString, auditBatchDelay);
        }

        builder.Services.AddSingleton(sp => new SwitchRecorder(auditConnectionString is null ? null : OrchestratorInternals.ProxyRecorder(sp)));
        builder.Services.AddSingleton<IProxyRecorder>(sp => sp.GetRequiredService<SwitchRecorder>());
        var timing = new ServerTiming();
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var start = Stopwatch.GetTimestamp();
            await next(context);
            timing.Add(Stopwatch.GetElapsedTime(start));
        });
        app.MapSmcpProxy();
        app.MapPost("/floor", async context =>
        {
            // The HTTP floor: the same Kestrel and client, no proxy and no sandbox (reads the body, answers at once).
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.ContentType = "application/json";
            context.Response.Headers["Mcp-Session-Id"] = "floor";
            await context.Response.Body.WriteAsync(FloorAnswer);
        });
        await app.StartAsync();
        return new SmcpHost(app, app.Services.GetRequiredService<SwitchRecorder>(), timing);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Server-side time per request while recording (one session at a time, so the lock is uncontended).</summary>
internal sealed class ServerTiming
{
    private readonly List<double> _samples = [];
    private readonly Lock _lock = new();
    private volatile bool _recording;

    public void Add(TimeSpan elapsed)
    {
        if (_recording)
        {
            lock (_lock)
            {
                _samples.Add(elapsed.TotalMilliseconds);
            }
        }
    }

    public void Start()
    {
        lock (_lock)
        {
            _samples.Clear();
        }

        _recording = true;
    }

    public double[] Stop()
    {
        _recording = false;
        lock (_lock)
        {
            return [.. _samples];
        }
    }
}

internal sealed class BenchCredentials : ICredentialValidator
{
    private static readonly SmcpPrincipal User = new("key:bench", SmcpHost.Tenant, SmcpRole.TenantUser);

    public Task<CredentialCheck> ValidateAsync(string bearerToken, IPAddress? client, CancellationToken cancellationToken) =>
        Task.FromResult(bearerToken == SmcpHost.Token ? CredentialCheck.Valid(User) : CredentialCheck.Invalid);
}

/// <summary>Two servers of one image: <c>every</c> under runc and <c>every-gvisor</c> under runsc; no warm pool (sessions are opened before measuring).</summary>
internal sealed class BenchCatalog(string image) : IServerCatalog
{
    public const string Runc = "every";
    public const string Gvisor = "every-gvisor";

    private readonly ConcurrentDictionary<string, McpServerTarget> _targets = new(StringComparer.Ordinal)
    {
        [Runc] = Target(image, Runc, SandboxRuntimes.Runc),
        [Gvisor] = Target(image, Gvisor, SandboxRuntimes.Gvisor),
    };

    public static SandboxSpec Spec(string image, string server, string runtime) =>
        new() { Image = image, Tenant = SmcpHost.Tenant, Server = server, Runtime = runtime };

    private static McpServerTarget Target(string image, string server, string runtime) =>
        new(Spec(image, server, runtime), new PoolPolicy(0, 500), TimeSpan.FromHours(1), 0);

    public Task<(McpServerTarget? Target, TargetRefusal? Refusal)> FindAsync(string tenant, string server, CancellationToken cancellationToken) =>
        Task.FromResult<(McpServerTarget?, TargetRefusal?)>(
            tenant == SmcpHost.Tenant && _targets.TryGetValue(server, out var target) ? (target, null) : (null, TargetRefusal.NotFound));

    public bool IsActive(string tenant) => tenant == SmcpHost.Tenant;
}

/// <summary>The real recorder when auditing is on, a no-op otherwise; session rows always go to the real one when there is one.</summary>
internal sealed class SwitchRecorder(IProxyRecorder? real) : IProxyRecorder
{
    private volatile bool _audit;

    public bool CanAudit => real is not null;

    public bool Audit
    {
        get => _audit;
        set => _audit = value && real is not null;
    }

    public ValueTask AuditAsync(McpAuditEvent auditEvent, CancellationToken cancellationToken) =>
        _audit ? real!.AuditAsync(auditEvent, cancellationToken) : ValueTask.CompletedTask;

    public Task SessionOpenedAsync(string tenant, string server, string sessionId, string principal, string sandboxId, CancellationToken cancellationToken) =>
        real?.SessionOpenedAsync(tenant, server, sessionId, principal, sandboxId, cancellationToken) ?? Task.CompletedTask;

    public Task SessionEndedAsync(string tenant, string sessionId, string reason, CancellationToken cancellationToken) =>
        real?.SessionEndedAsync(tenant, sessionId, reason, cancellationToken) ?? Task.CompletedTask;

    public Task PinsObservedAsync(ToolPinObservation observation, CancellationToken cancellationToken) =>
        real?.PinsObservedAsync(observation, cancellationToken) ?? Task.CompletedTask;
}
