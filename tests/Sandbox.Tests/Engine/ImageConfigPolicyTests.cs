using System.Formats.Tar;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Smcp.Sandbox.Tests.Support;

namespace Smcp.Sandbox.Tests.Engine;

/// <summary>What an image's own config asks for (HEALTHCHECK, STOPSIGNAL, VOLUME) does not change the sandbox policy.</summary>
/// <remarks>
/// The images are built on the probe for this fixture and left untagged (run and removed by id), so the engine's tag
/// list, which the image intake tests compare before and after a load, never changes because of them.
/// </remarks>
[TestFixture(SandboxRuntimes.Gvisor)]
[TestFixture(SandboxRuntimes.Runc)]
public sealed class ImageConfigPolicyTests(string runtime)
{
    private readonly List<string> _built = [];
    private IDockerClient _docker = null!;

    [OneTimeSetUp]
    public async Task ConnectAsync() => _docker = await TestDocker.ClientAsync();

    [OneTimeTearDown]
    public async Task RemoveImagesAsync()
    {
        foreach (var id in _built)
        {
            await _docker.Images.DeleteImageAsync(id, new ImageDeleteParameters { Force = true }, CancellationToken.None);
        }
    }

    [Test]
    public async Task An_image_healthcheck_never_runs_in_a_sandbox()
    {
        var image = await BuildAsync("""HEALTHCHECK --interval=1ms --timeout=1s --retries=1 CMD ["/probe", "exit", "1"]""");
        var engine = await TestDocker.EngineAsync(runtime);
        await using var sandbox = await engine.StartAsync(Probe.Spec("sleep", "600") with { Image = image }, CancellationToken.None);

        // With the image's check in force the engine would have run it hundreds of times by now.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var container = await _docker.Containers.InspectContainerAsync(sandbox.ContainerId);
        Assert.That(container.Config.Healthcheck?.Test, Is.EqualTo(new[] { "NONE" }));
        Assert.That(container.State.Health, Is.Null, "the engine keeps no health state for a container without a check");
    }

    [Test]
    public async Task An_image_stop_signal_does_not_replace_sigterm()
    {
        var image = await BuildAsync("STOPSIGNAL SIGCONT");
        var engine = await TestDocker.EngineAsync(runtime);
        await using var sandbox = await engine.StartAsync(Probe.Spec("sleep", "600") with { Image = image }, CancellationToken.None);

        var container = await _docker.Containers.InspectContainerAsync(sandbox.ContainerId);
        Assert.That(container.Config.StopSignal, Is.EqualTo("SIGTERM"));
    }

    [Test]
    public async Task An_image_that_declares_a_volume_is_refused_before_a_container_exists()
    {
        var image = await BuildAsync("VOLUME /data");
        var engine = await TestDocker.EngineAsync(runtime);
        var before = await SandboxContainerCountAsync();

        var error = Assert.ThrowsAsync<SandboxException>(async () => await engine.StartAsync(Probe.Spec("sleep", "600") with { Image = image }, CancellationToken.None))!;

        Assert.That(error.Error, Is.EqualTo(SandboxError.InvalidImage));
        Assert.That(error.Message, Does.Contain("/data").And.Contain("VOLUME"));
        Assert.That(await SandboxContainerCountAsync(), Is.EqualTo(before), "no container (and so no anonymous volume) was created");
    }

    private async Task<int> SandboxContainerCountAsync()
    {
        var containers = await _docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"smcp.instance={TestDocker.Options(runtime).InstanceId}"] = true },
            },
        });
        return containers.Count;
    }

    /// <summary>Builds the probe image plus one Dockerfile line, untagged; returns its id.</summary>
    private async Task<string> BuildAsync(string instruction)
    {
        using var context = new MemoryStream();
        await using (var tar = new TarWriter(context, leaveOpen: true))
        {
            // The label keeps the two fixtures' images apart: one fixture's clean-up never removes the other's image.
            var dockerfile = Encoding.UTF8.GetBytes($"FROM {TestDocker.Probe}\nLABEL org.smcp.test-fixture={runtime}\n{instruction}\n");
            var entry = new PaxTarEntry(TarEntryType.RegularFile, "Dockerfile") { DataStream = new MemoryStream(dockerfile) };
            await tar.WriteEntryAsync(entry);
        }

        context.Position = 0;
        var output = new BuildOutput();
        await _docker.Images.BuildImageFromDockerfileAsync(
            new ImageBuildParameters { Remove = true, ForceRemove = true }, context, null, null, output);
        Assert.That(output.Error, Is.Null, $"docker build failed: {output.Error}");
        Assert.That(output.ShortId, Is.Not.Null, "docker build printed no image id");
        var id = (await _docker.Images.InspectImageAsync(output.ShortId)).ID;
        _built.Add(id);
        return id;
    }

    private sealed class BuildOutput : IProgress<JSONMessage>
    {
        private const string Built = "Successfully built ";

        public string? ShortId { get; private set; }

        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            Error ??= value.Error?.Message ?? (string.IsNullOrEmpty(value.ErrorMessage) ? null : value.ErrorMessage);
            if (value.Stream?.Trim() is { } line && line.StartsWith(Built, StringComparison.Ordinal))
            {
                ShortId = line[Built.Length..];
            }
        }
    }
}
