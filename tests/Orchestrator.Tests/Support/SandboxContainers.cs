using Docker.DotNet;
using Docker.DotNet.Models;

namespace Smcp.Orchestrator.Tests.Support;

/// <summary>The containers a host started, found by their <c>smcp.instance</c> label on a Docker engine.</summary>
internal sealed class SandboxContainers(string endpoint = "unix:///var/run/docker.sock") : IDisposable
{
    private readonly DockerClient _docker = new DockerClientConfiguration(new Uri(endpoint)).CreateClient(new System.Version(1, 41));

    /// <summary>Ids of the instance's containers in any state (a killed, not yet removed one counts).</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string instanceId, string? tenant = null)
    {
        var labels = new Dictionary<string, bool> { [$"smcp.instance={instanceId}"] = true };
        if (tenant is not null)
        {
            labels[$"smcp.tenant={tenant}"] = true;
        }

        var containers = await _docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = labels },
        });
        return containers.Select(c => c.ID).ToList();
    }

    /// <summary>Whether the engine answers <c>/_ping</c>.</summary>
    public async Task<bool> PingAsync()
    {
        try
        {
            await _docker.System.PingAsync();
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or DockerApiException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    public Task KillAsync(string id) => _docker.Containers.KillContainerAsync(id, new ContainerKillParameters { Signal = "KILL" });

    public void Dispose() => _docker.Dispose();
}
