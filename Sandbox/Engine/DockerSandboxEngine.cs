using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Smcp.Sandbox.Engine;

/// <summary>Sandboxes as Docker containers through the Engine API (1.41).</summary>
internal sealed class DockerSandboxEngine(IDockerClient docker, IOptions<SandboxOptions> options, ILoggerFactory loggers)
    : ISandboxEngine
{
    private readonly SandboxOptions _options = options.Value;
    private readonly ILogger _logger = loggers.CreateLogger("Smcp.Sandbox");
    private readonly ConcurrentDictionary<string, string> _imageUsers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _verifiedRuntimes = new(StringComparer.Ordinal);

    public Task<RunningSandbox> StartAsync(SandboxSpec spec, CancellationToken cancellationToken) =>
        StartAsync(spec, claimed: true, cancellationToken);

    public Task<RunningSandbox> StartUnclaimedAsync(SandboxSpec spec, CancellationToken cancellationToken) =>
        StartAsync(spec, claimed: false, cancellationToken);

    private async Task<RunningSandbox> StartAsync(SandboxSpec spec, bool claimed, CancellationToken cancellationToken)
    {
        var runtime = spec.Runtime ?? _options.DefaultRuntime;
        await EnsureRuntimeAsync(runtime, cancellationToken).ConfigureAwait(false);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StartTimeout);
        var started = Stopwatch.StartNew();
        var sandboxId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        string? containerId = null;
        MultiplexedStream? stdio = null;
        try
        {
            var imageUser = await ImageUserAsync(spec.Image, timeout.Token).ConfigureAwait(false);
            var create = ContainerSpecFactory.Create(spec, _options, sandboxId, imageUser);
            create.Name = $"smcp-{spec.Tenant}-{spec.Server}-{sandboxId[..12]}";
            containerId = (await docker.Containers.CreateContainerAsync(create, timeout.Token).ConfigureAwait(false)).ID;

            // Attach before start, so not a byte of early output is lost.
            stdio = await docker.Containers.AttachContainerAsync(
                containerId, tty: false,
                new ContainerAttachParameters { Stream = true, Stdin = true, Stdout = true, Stderr = true },
                timeout.Token).ConfigureAwait(false);
            await docker.Containers.StartContainerAsync(containerId, new ContainerStartParameters(), timeout.Token).ConfigureAwait(false);

            Log.Started(_logger, sandboxId, spec.Tenant, spec.Server, runtime, started.ElapsedMilliseconds);
            return new RunningSandbox(sandboxId, spec, new DockerContainer(docker, containerId, stdio), _options, _logger, claimed);
        }
        catch (Exception ex)
        {
            stdio?.Dispose();
            if (containerId is not null)
            {
                await RemoveQuietlyAsync(containerId).ConfigureAwait(false);
            }

            throw ex switch
            {
                OperationCanceledException when !cancellationToken.IsCancellationRequested => new SandboxException(
                    SandboxError.StartTimedOut,
                    $"The sandbox did not start within {_options.StartTimeout.TotalSeconds:0} s (Sandbox:StartTimeout).", ex),
                DockerImageNotFoundException => new SandboxException(
                    SandboxError.ImageNotFound, $"The image '{spec.Image}' is not loaded in the container engine.", ex),
                HttpRequestException => EngineUnavailable(ex),
                _ => ex,
            };
        }
    }

    public Task<LoadedImage> LoadImageAsync(Stream tarball, string imageId, string tenant, string server, CancellationToken cancellationToken) =>
        new ImageLoader(docker, _options.LoadQueueTimeout, _logger).LoadAsync(tarball, imageId, tenant, server, cancellationToken);

    public async Task<int> RemoveOrphansAsync(CancellationToken cancellationToken)
    {
        var containers = await docker.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["label"] = new Dictionary<string, bool> { [$"{ContainerSpecFactory.InstanceLabel}={_options.InstanceId}"] = true },
                },
            },
            cancellationToken).ConfigureAwait(false);

        foreach (var container in containers)
        {
            await RemoveQuietlyAsync(container.ID).ConfigureAwait(false);
        }

        Log.OrphansRemoved(_logger, containers.Count, _options.InstanceId);
        return containers.Count;
    }

    public async Task EnsureRuntimeAsync(string runtime, CancellationToken cancellationToken)
    {
        if (_verifiedRuntimes.ContainsKey(runtime))
        {
            return;
        }

        if (!SandboxRuntimes.IsKnown(runtime))
        {
            throw new SandboxException(
                SandboxError.RuntimeUnavailable,
                $"The runtime '{runtime}' is not one SMCP can harden; set defaults.runtime (or the tenant's quotas.runtime) in smcp.yaml to runsc or runc.");
        }

        SystemInfoResponse info;
        try
        {
            info = await docker.System.GetSystemInfoAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw EngineUnavailable(ex);
        }

        if (info.Runtimes is null || !info.Runtimes.ContainsKey(runtime))
        {
            throw new SandboxException(
                SandboxError.RuntimeUnavailable,
                $"The container engine at {_options.DockerEndpoint} has no '{runtime}' runtime " +
                $"(it has: {string.Join(", ", info.Runtimes?.Keys ?? [])}). Register it in /etc/docker/daemon.json, " +
                "or set defaults.runtime (or the tenant's quotas.runtime) in smcp.yaml to one the engine has.");
        }

        _verifiedRuntimes[runtime] = true;
    }

    // The user the image names, once its config is known to ask for nothing the sandbox policy cannot honour.
    private async Task<string> ImageUserAsync(string image, CancellationToken cancellationToken)
    {
        if (_imageUsers.TryGetValue(image, out var user))
        {
            return user;
        }

        var inspect = await docker.Images.InspectImageAsync(image, cancellationToken).ConfigureAwait(false);
        if (inspect.Config?.Volumes is { Count: > 0 } volumes)
        {
            // The engine would create a writable anonymous volume for each, under a read-only root.
            throw new SandboxException(
                SandboxError.InvalidImage,
                $"The image '{image}' declares volumes ({string.Join(", ", volumes.Keys.Order(StringComparer.Ordinal))}); sandboxes have no volumes. Rebuild it without VOLUME.");
        }

        user = inspect.Config?.User ?? string.Empty;
        // Only ids are immutable; a tag may be moved to another image, so it is not cached.
        if (image.StartsWith("sha256:", StringComparison.Ordinal))
        {
            _imageUsers[image] = user;
        }

        return user;
    }

    private async Task RemoveQuietlyAsync(string containerId)
    {
        try
        {
            await docker.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            // Already gone.
        }
        catch (DockerApiException ex)
        {
            Log.RemoveFailed(_logger, ex, containerId, containerId);
        }
    }

    private SandboxException EngineUnavailable(Exception inner) => new(
        SandboxError.EngineUnavailable,
        $"The container engine at {_options.DockerEndpoint} does not answer (Sandbox:DockerEndpoint); is dockerd running?", inner);
}
