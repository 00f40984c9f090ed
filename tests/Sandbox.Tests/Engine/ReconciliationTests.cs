using Docker.DotNet;
using Docker.DotNet.Models;
using Smcp.Sandbox.Tests.Support;

namespace Smcp.Sandbox.Tests.Engine;

public sealed class ReconciliationTests
{
    [Test]
    public async Task Leftovers_of_this_installation_are_removed_and_foreign_containers_left_alone()
    {
        var docker = await TestDocker.ClientAsync();
        var instance = "recon-" + Guid.NewGuid().ToString("N")[..8];
        var before = await TestDocker.EngineAsync(SandboxRuntimes.Runc, o => o.InstanceId = instance);
        var leftover = await before.StartAsync(Probe.Spec("sleep", "600"), CancellationToken.None);
        var stopped = await before.StartAsync(Probe.Spec("exit", "0"), CancellationToken.None);
        await stopped.Exited.WaitAsync(TimeSpan.FromSeconds(60));
        var foreignIds = new[]
        {
            await CreateForeignAsync(docker, new Dictionary<string, string> { ["smcp.instance"] = instance + "-other" }),
            await CreateForeignAsync(docker, new Dictionary<string, string>()),
        };

        try
        {
            var restarted = await TestDocker.EngineAsync(SandboxRuntimes.Runc, o => o.InstanceId = instance);
            var removed = await restarted.RemoveOrphansAsync(CancellationToken.None);

            Assert.That(removed, Is.EqualTo(2));
            Assert.That(await ExistsAsync(docker, leftover.ContainerId), Is.False);
            Assert.That(await ExistsAsync(docker, stopped.ContainerId), Is.False);
            foreach (var id in foreignIds)
            {
                Assert.That(await ExistsAsync(docker, id), Is.True, "a container that is not this installation's is never touched");
            }
        }
        finally
        {
            foreach (var id in foreignIds)
            {
                await docker.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true });
            }

            await leftover.DisposeAsync();
            await stopped.DisposeAsync();
        }
    }

    private static async Task<string> CreateForeignAsync(IDockerClient docker, Dictionary<string, string> labels)
    {
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = TestDocker.Probe,
            Cmd = ["sleep", "600"],
            Labels = labels,
            HostConfig = new HostConfig { NetworkMode = "none", Runtime = "runc" },
        });
        return created.ID;
    }

    private static async Task<bool> ExistsAsync(IDockerClient docker, string id)
    {
        try
        {
            await docker.Containers.InspectContainerAsync(id);
            return true;
        }
        catch (DockerContainerNotFoundException)
        {
            return false;
        }
    }
}
