using Docker.DotNet;
using Docker.DotNet.Models;

namespace Smcp.Sandbox.Engine;

/// <summary>A sandbox as a Docker container, through its hijacked attach stream.</summary>
internal sealed class DockerContainer(IDockerClient docker, string containerId, MultiplexedStream stdio) : ISandboxHandle
{
    public string Name => containerId;

    public async ValueTask<StdioChunk> ReadAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            var read = await stdio.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
            return read.EOF ? StdioChunk.End : new StdioChunk(read.Count, read.Target == MultiplexedStream.TargetStream.StandardError, false);
        }
        catch (DockerApiException ex)
        {
            throw new IOException(ex.Message, ex);
        }
    }

    public Task WriteAsync(byte[] buffer, int count, CancellationToken cancellationToken) =>
        stdio.WriteAsync(buffer, 0, count, cancellationToken);

    public Task StopAsync(TimeSpan grace, CancellationToken cancellationToken) => EngineCallAsync(async () =>
    {
        try
        {
            await docker.Containers.StopContainerAsync(
                containerId, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling(grace.TotalSeconds) }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            // Already gone: nothing left to stop.
        }
    });

    public Task KillAsync(CancellationToken cancellationToken) =>
        EngineCallAsync(() => docker.Containers.KillContainerAsync(containerId, new ContainerKillParameters(), cancellationToken));

    public Task RemoveAsync(CancellationToken cancellationToken) => EngineCallAsync(async () =>
    {
        try
        {
            await docker.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            // Removed already (reconciliation or an admin): the end state is the same.
        }
    });

    public async Task<long?> WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await docker.Containers.WaitContainerAsync(containerId, cancellationToken).ConfigureAwait(false)).StatusCode;
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException)
        {
            throw new IOException(ex.Message, ex);
        }
    }

    public async Task<bool?> OomKilledAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await docker.Containers.InspectContainerAsync(containerId, cancellationToken).ConfigureAwait(false)).State?.OOMKilled == true;
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException)
        {
            throw new IOException(ex.Message, ex);
        }
    }

    public void Dispose() => stdio.Dispose();

    private static async Task EngineCallAsync(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException)
        {
            throw new IOException(ex.Message, ex);
        }
    }
}
