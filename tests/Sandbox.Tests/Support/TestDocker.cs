using Docker.DotNet;
using Microsoft.Extensions.Logging.Abstractions;

namespace Smcp.Sandbox.Tests.Support;

/// <summary>The real dockerd the integration tests run against, and the images the project builds for them.</summary>
internal static class TestDocker
{
    /// <summary>Appended to this suite's instance ids, so runs side by side on one engine (SMCP_TEST_INSTANCE_SUFFIX) never remove each other's sandboxes.</summary>
    public static readonly string InstanceSuffix = Environment.GetEnvironmentVariable("SMCP_TEST_INSTANCE_SUFFIX") ?? "";

    public const string Conformance = "smcp-test/conformance:test";
    public const string Everything = "smcp-test/everything:test";
    public const string Probe = "smcp-test/probe:test";
    public const string Hostile = "smcp-test/hostile:test";

    private static readonly Lazy<Task<IDockerClient>> Shared = new(ConnectAsync);

    public static Task<IDockerClient> ClientAsync() => Shared.Value;

    /// <summary>An engine whose containers carry a label of their own, so tests never touch anything else.</summary>
    public static async Task<ISandboxEngine> EngineAsync(string runtime, Action<SandboxOptions>? configure = null)
    {
        var options = Options(runtime);
        configure?.Invoke(options);
        return SandboxServiceCollectionExtensions.CreateEngine(await ClientAsync(), options, NullLoggerFactory.Instance);
    }

    public static SandboxOptions Options(string runtime) => new()
    {
        InstanceId = "smcp-tests" + InstanceSuffix,
        DefaultRuntime = runtime,
        StopGracePeriod = TimeSpan.FromSeconds(1),
    };

    public static SandboxSpec Spec(string image, params string[] args) => new()
    {
        Image = image,
        Tenant = "tests",
        Server = image.Split('/', ':')[1],
        Args = args.Length == 0 ? null : args,
    };

    private static async Task<IDockerClient> ConnectAsync()
    {
        var client = SandboxServiceCollectionExtensions.CreateDockerClient(new SandboxOptions());
        try
        {
            await client.System.PingAsync();
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or System.Net.Sockets.SocketException or DockerApiException)
        {
            Assert.Fail("dockerd does not answer on /var/run/docker.sock. Start it with `. scripts/engine.sh && smcp_start_engine` " +
                        "(or run the whole suite with `bash scripts/test.sh`, which starts it). " + ex.Message);
        }

        foreach (var image in new[] { Conformance, Everything, Probe, Hostile })
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
