using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Smcp.Proxy.Ports;
using Smcp.Proxy.Tests.Support;
using Smcp.Sandbox;
using Smcp.Sandbox.Pool;

namespace Smcp.Proxy.Tests;

/// <summary>
/// One proxy for the whole test run: Kestrel on 127.0.0.1, real sandboxes from the warm pool on the
/// real dockerd, in-memory ports. A second loopback listener stands for "a public server": it lets
/// callers without a credential in as acme's user (the conformance runner sends none).
/// </summary>
[SetUpFixture]
public sealed class TestHost
{
    /// <summary>Appended to this suite's instance ids, so runs side by side on one engine (SMCP_TEST_INSTANCE_SUFFIX) never remove each other's sandboxes.</summary>
    public static readonly string InstanceSuffix = Environment.GetEnvironmentVariable("SMCP_TEST_INSTANCE_SUFFIX") ?? "";

    public const string Conformance = "smcp-test/conformance:test";
    public const string Everything = "smcp-test/everything:test";
    public const string Hostile = "smcp-test/hostile:test";

    /// <summary>A protocol revision 2026-07-28 server on the TypeScript SDK v2 (tests/servers/modern).</summary>
    public const string Modern = "smcp-test/modern:test";
    public const string AllowedOrigin = "https://allowed.example";

    /// <summary>The tenant the conformance suite runs against twice, with fewer sandboxes than it has scenarios; its public listener user is its own.</summary>
    public const string ReuseTenant = "reuse";

    /// <summary>The sandbox limit of <see cref="ReuseTenant"/>.</summary>
    public const int ReuseLimit = 3;

    /// <summary>Requests running longer than this get a timeout error: short for a quick timeout test, long enough for 64 cold starts at once.</summary>
    public static readonly TimeSpan MaxRequestDuration = TimeSpan.FromSeconds(60);

    public const int InFlightLimit = 16;

    private static WebApplication? _app;

    public static Uri BaseUri { get; private set; } = null!;

    /// <summary>The listener that adds acme's credential to requests that carry none.</summary>
    public static int PublicPort { get; private set; }

    /// <summary>How long an initialize at the limit may wait for a session to become reclaimable (short, so refusals come quickly).</summary>
    public static TimeSpan ReclaimWait { get; } = TimeSpan.FromSeconds(6);

    internal static TestCatalog Catalog { get; } = new();

    internal static TestRecorder Recorder { get; } = new();

    public static IDockerClient Docker { get; private set; } = null!;

    public static IServiceProvider Services => _app!.Services;

    /// <summary>A proxy host on the real sandbox layer (runc, its own instance id) with the test ports; the caller picks the listeners.</summary>
    public static WebApplicationBuilder NewBuilder(string instanceId, Action<ProxyOptions> configure)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSmcpSandbox(o =>
        {
            o.InstanceId = instanceId;
            o.DefaultRuntime = SandboxRuntimes.Runc;
            o.StopGracePeriod = TimeSpan.FromSeconds(1);
        });
        builder.Services.AddSmcpProxy(configure);
        builder.Services.AddSingleton<ICredentialValidator, TestCredentials>();
        builder.Services.AddSingleton<ITokenIssuers, TestIssuers>();
        builder.Services.AddSingleton<IServerCatalog>(Catalog);
        builder.Services.AddSingleton<IProxyRecorder>(Recorder);
        return builder;
    }

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Docker = await ConnectAsync();
        AddServers();
        PublicPort = FreePort();
        var builder = NewBuilder("smcp-proxy-tests" + InstanceSuffix, o =>
        {
            o.AllowedOrigins.Add(AllowedOrigin);
            o.MaxRequestBodyBytes = 256 * 1024;
            o.MaxInFlightRequestsPerSession = InFlightLimit;
            o.MaxRequestDuration = MaxRequestDuration;
            o.IdleCheckInterval = TimeSpan.FromMilliseconds(250);
            o.SessionLimitRetryAfter = TimeSpan.FromSeconds(7);
            o.ReclaimWait = ReclaimWait;
            o.SseRetry = TimeSpan.FromMilliseconds(500);
        });
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Listen(IPAddress.Loopback, PublicPort);
        });
        _app = builder.Build();
        _app.Use(async (context, next) =>
        {
            if (context.Connection.LocalPort == PublicPort && !context.Request.Headers.ContainsKey("Authorization"))
            {
                context.Request.Headers.Authorization = "Bearer " +
                    (context.Request.Path.StartsWithSegments("/t/" + ReuseTenant) ? TestCredentials.ReuseUser : TestCredentials.AcmeUser);
            }

            await next(context);
        });
        _app.MapSmcpProxy();
        await _app.StartAsync();
        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUri = new Uri(addresses.Select(a => new Uri(a)).First(u => u.Port != PublicPort).GetLeftPart(UriPartial.Authority));

        var pool = _app.Services.GetRequiredService<WarmPool>();
        foreach (var (tenant, server) in new[] { ("acme", "conf"), ("acme", "every"), ("acme", "modern"), ("acme", "conf-gvisor"), ("acme", "every-gvisor") })
        {
            var target = Catalog.Target(tenant, server);
            pool.Warm(target.Spec, target.Pool);
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    internal static McpHttp Http(string tenant = "acme", string server = "conf") => new(BaseUri, tenant, server);

    private static void AddServers()
    {
        Catalog.Add("acme", "conf", TestCatalog.For(Conformance, "acme", "conf", SandboxRuntimes.Runc, warm: 2));
        Catalog.Add("acme", "every", TestCatalog.For(Everything, "acme", "every", SandboxRuntimes.Runc));
        Catalog.Add("acme", "modern", TestCatalog.For(Modern, "acme", "modern", SandboxRuntimes.Runc, warm: 2));
        Catalog.Add("acme", "modern-quiet", TestCatalog.For(Modern, "acme", "modern-quiet", SandboxRuntimes.Runc, warm: 0));
        Catalog.Add("acme", "conf-gvisor", TestCatalog.For(Conformance, "acme", "conf-gvisor", SandboxRuntimes.Gvisor));
        Catalog.Add("acme", "every-gvisor", TestCatalog.For(Everything, "acme", "every-gvisor", SandboxRuntimes.Gvisor));
        Catalog.Add("acme", "idle", TestCatalog.For(Conformance, "acme", "idle", SandboxRuntimes.Runc, warm: 0, idle: TimeSpan.FromSeconds(2)));
        Catalog.Add("small", "conf", TestCatalog.For(Conformance, "small", "conf", SandboxRuntimes.Runc, warm: 0, limit: 1));
        Catalog.Add("limited", "conf", TestCatalog.For(Conformance, "limited", "conf", SandboxRuntimes.Runc, warm: 0, perMinute: 3));
        Catalog.Add("hurried", "conf", TestCatalog.For(Conformance, "hurried", "conf", SandboxRuntimes.Runc, warm: 0, perMinute: 1));
        Catalog.Add("frozen", "conf", TestCatalog.For(Conformance, "frozen", "conf", SandboxRuntimes.Runc, warm: 0));
        Catalog.Suspend("frozen");
        Catalog.Add("load", "every", TestCatalog.For(Everything, "load", "every", SandboxRuntimes.Runc, warm: 0));
        Catalog.Add(ReuseTenant, "conf", TestCatalog.For(Conformance, ReuseTenant, "conf", SandboxRuntimes.Runc, warm: 1, limit: ReuseLimit,
            startsPerMinute: 60, reclaimAfter: TimeSpan.FromSeconds(1)));
        Catalog.Add("crowded", "conf", TestCatalog.For(Conformance, "crowded", "conf", SandboxRuntimes.Runc, warm: 0, limit: 2, reclaimAfter: TimeSpan.FromSeconds(1)));
        Catalog.Add("racing", "conf", TestCatalog.For(Conformance, "racing", "conf", SandboxRuntimes.Runc, warm: 0, limit: 2, reclaimAfter: TimeSpan.FromSeconds(1)));
        Catalog.Add("patient", "conf", TestCatalog.For(Conformance, "patient", "conf", SandboxRuntimes.Runc, warm: 0, limit: 1, reclaimAfter: TimeSpan.FromSeconds(1)));
        Catalog.Add("busy", "conf", TestCatalog.For(Conformance, "busy", "conf", SandboxRuntimes.Runc, warm: 0, limit: 1, reclaimAfter: TimeSpan.FromSeconds(1)));
        Catalog.Add("warmish", "x", TestCatalog.For(Conformance, "warmish", "x", SandboxRuntimes.Runc, warm: 1, limit: 2, reclaimAfter: TimeSpan.FromSeconds(1)));
        Catalog.Add("warmish", "y", TestCatalog.For(Conformance, "warmish", "y", SandboxRuntimes.Runc, warm: 1, limit: 2, reclaimAfter: TimeSpan.FromSeconds(1)));
        Catalog.Add("starts", "conf", TestCatalog.For(Conformance, "starts", "conf", SandboxRuntimes.Runc, warm: 0, startsPerMinute: 2));
        Catalog.Add("counted", "conf", TestCatalog.For(Conformance, "counted", "conf", SandboxRuntimes.Runc, warm: 0, perMinute: 3));
        Catalog.Add("lapsing", "conf", TestCatalog.For(Conformance, "lapsing", "conf", SandboxRuntimes.Runc, warm: 0));
        Catalog.Add("opening", "conf", TestCatalog.For(Conformance, "opening", "conf", SandboxRuntimes.Runc, warm: 1));
        Catalog.Add("load", "every-gvisor", TestCatalog.For(Everything, "load", "every-gvisor", SandboxRuntimes.Gvisor, warm: 0));
        var quitter = TestCatalog.For(Hostile, "acme", "quitter", SandboxRuntimes.Runc, warm: 0);
        Catalog.Add("acme", "quitter", quitter with { Spec = quitter.Spec with { Args = ["no-such-mode"] } });
        var hostile = TestCatalog.For(Hostile, "hostile", "flood", SandboxRuntimes.Runc, warm: 0, limit: 16);
        Catalog.Add("hostile", "flood", hostile with { Spec = hostile.Spec with { Args = ["flood-idle", "stray"] } });
        foreach (var (server, policy) in new[] { ("poisoned-block", ToolScanPolicy.Block), ("poisoned-warn", ToolScanPolicy.Warn) })
        {
            var poisoned = TestCatalog.For(Hostile, "acme", server, SandboxRuntimes.Runc, warm: 0);
            Catalog.Add("acme", server, poisoned with { Spec = poisoned.Spec with { Args = ["poisoned"] }, ToolScan = policy });
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task<IDockerClient> ConnectAsync()
    {
        var client = SandboxServiceCollectionExtensions.CreateDockerClient(new SandboxOptions());
        try
        {
            await client.System.PingAsync();
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException or DockerApiException)
        {
            Assert.Fail("dockerd does not answer on /var/run/docker.sock. Start it with `. scripts/engine.sh && smcp_start_engine` " +
                        "(or run the whole suite with `bash scripts/test.sh`, which starts it). " + ex.Message);
        }

        foreach (var image in new[] { Conformance, Everything, Hostile, Modern })
        {
            try
            {
                await client.Images.InspectImageAsync(image);
            }
            catch (DockerImageNotFoundException)
            {
                Assert.Fail($"The test image {image} is missing. Build the test images with `bash tests/images/build.sh`.");
            }
        }

        return client;
    }
}
