using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Smcp.Sandbox.Kubernetes;

/// <summary>Sandboxes as pods on a Kubernetes cluster: one pod per sandbox, under a RuntimeClass (gVisor), behind a deny-all NetworkPolicy.</summary>
internal sealed class KubernetesSandboxEngine(IKubernetes client, IOptions<SandboxOptions> options, ILoggerFactory loggers) : ISandboxEngine
{
    /// <summary>Container waiting reasons after which the pod will not start by itself.</summary>
    private static readonly HashSet<string> StuckReasons = new(StringComparer.Ordinal)
    {
        "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError", "RunContainerError",
    };

    private static readonly HashSet<string> PullReasons = new(StringComparer.Ordinal) { "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull" };

    private readonly SandboxOptions _options = options.Value;
    private readonly KubernetesSandboxOptions _kubernetes = options.Value.Kubernetes;
    private readonly ILogger _logger = loggers.CreateLogger("Smcp.Sandbox");
    private readonly SemaphoreSlim _ensure = new(1, 1);
    private volatile bool _ensured;

    public Task<RunningSandbox> StartAsync(SandboxSpec spec, CancellationToken cancellationToken) => StartAsync(spec, claimed: true, cancellationToken);

    public Task<RunningSandbox> StartUnclaimedAsync(SandboxSpec spec, CancellationToken cancellationToken) => StartAsync(spec, claimed: false, cancellationToken);

    private async Task<RunningSandbox> StartAsync(SandboxSpec spec, bool claimed, CancellationToken cancellationToken)
    {
        var runtime = spec.Runtime ?? _options.DefaultRuntime;
        await EnsureRuntimeAsync(runtime, cancellationToken).ConfigureAwait(false);
        VettedReference.Check(spec, _kubernetes);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_kubernetes.PodStartTimeout);
        var started = Stopwatch.StartNew();
        var sandboxId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var name = PodManifest.PodName(sandboxId);
        var created = false;
        WebSocket? attach = null;
        try
        {
            await client.CoreV1.CreateNamespacedPodAsync(PodManifest.Pod(spec, _options, sandboxId), _kubernetes.Namespace, cancellationToken: timeout.Token)
                .ConfigureAwait(false);
            created = true;
            await WaitRunningAsync(name, spec, timeout.Token).ConfigureAwait(false);
            attach = await client.WebSocketNamespacedPodAttachAsync(
                name, _kubernetes.Namespace, PodManifest.ContainerName, stderr: true, stdin: true, stdout: true, tty: false,
                webSocketSubProtocol: WebSocketProtocol.V4BinaryWebsocketProtocol, cancellationToken: timeout.Token).ConfigureAwait(false);

            Log.Started(_logger, sandboxId, spec.Tenant, spec.Server, runtime, started.ElapsedMilliseconds);
            return new RunningSandbox(sandboxId, spec, new KubernetesPod(client, _kubernetes.Namespace, name, attach), _options, _logger, claimed);
        }
        catch (Exception ex)
        {
            attach?.Dispose();
            if (created)
            {
                await DeleteQuietlyAsync(name).ConfigureAwait(false);
            }

            throw ex switch
            {
                SandboxException => ex,
                OperationCanceledException when !cancellationToken.IsCancellationRequested => new SandboxException(
                    SandboxError.StartTimedOut,
                    $"The sandbox's pod was not running within {_kubernetes.PodStartTimeout.TotalSeconds:0} s (Sandbox:Kubernetes:PodStartTimeout).", ex),
                HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized } http => new SandboxException(
                    SandboxError.EngineUnavailable, $"The Kubernetes API server refused to run the sandbox's pod: {Refusal(http)}. See README \"Sandboxes on Kubernetes\" for the Role SMCP needs.", ex),
                HttpOperationException http => new SandboxException(SandboxError.EngineUnavailable, $"The Kubernetes API server refused the sandbox's pod: {Refusal(http)}.", ex),
                HttpRequestException or WebSocketException or KubernetesException => Unreachable(ex),
                _ => ex,
            };
        }
    }

    public Task<LoadedImage> LoadImageAsync(Stream tarball, string imageId, string tenant, string server, CancellationToken cancellationToken) =>
        throw new SandboxException(
            SandboxError.Unsupported,
            $"With the Kubernetes engine images reach the cluster through the registry: push the vetted image to {_kubernetes.Registry}/smcp/{tenant}/{server} " +
            "and run it by digest (README \"Sandboxes on Kubernetes\"). Uploads through SMCP are not pushed there yet.");

    public async Task<int> RemoveOrphansAsync(CancellationToken cancellationToken)
    {
        V1PodList pods;
        try
        {
            pods = await client.CoreV1.ListNamespacedPodAsync(
                _kubernetes.Namespace, labelSelector: PodManifest.InstanceSelector(_options.InstanceId), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or HttpOperationException)
        {
            throw Unreachable(ex);
        }

        foreach (var pod in pods.Items)
        {
            await DeleteQuietlyAsync(pod.Metadata.Name).ConfigureAwait(false);
        }

        Log.OrphansRemoved(_logger, pods.Items.Count, _options.InstanceId);
        return pods.Items.Count;
    }

    /// <summary>Proves the API server answers, the RuntimeClass exists, and the deny-all NetworkPolicy is in place (once).</summary>
    public async Task EnsureRuntimeAsync(string runtime, CancellationToken cancellationToken)
    {
        if (!SandboxRuntimes.IsKnown(runtime))
        {
            throw new SandboxException(
                SandboxError.RuntimeUnavailable,
                $"The runtime '{runtime}' is not one SMCP can harden; set Sandbox:DefaultRuntime (or the tenant's runtime in smcp.yaml) to runsc or runc.");
        }

        if (_ensured)
        {
            return;
        }

        await _ensure.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ensured)
            {
                return;
            }

            await EnsureRuntimeClassAsync(cancellationToken).ConfigureAwait(false);
            await EnsureNetworkPolicyAsync(cancellationToken).ConfigureAwait(false);
            _ensured = true;
        }
        catch (Exception ex) when (ex is HttpRequestException or WebSocketException or KubernetesException
            || (ex is HttpOperationException http && http.Response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.Forbidden)))
        {
            throw Unreachable(ex);
        }
        finally
        {
            _ensure.Release();
        }
    }

    private async Task EnsureRuntimeClassAsync(CancellationToken cancellationToken)
    {
        try
        {
            await client.NodeV1.ReadRuntimeClassAsync(_kubernetes.RuntimeClassName, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new SandboxException(
                SandboxError.RuntimeUnavailable,
                $"The cluster has no RuntimeClass '{_kubernetes.RuntimeClassName}': install gVisor on its nodes and create the RuntimeClass " +
                "(README \"Sandboxes on Kubernetes\"), or set sandbox.kubernetes.runtimeClassName in smcp.yaml to the one it has.", ex);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Forbidden)
        {
            throw new SandboxException(
                SandboxError.EngineUnavailable,
                $"SMCP may not read RuntimeClass '{_kubernetes.RuntimeClassName}': grant it the ClusterRole in README \"Sandboxes on Kubernetes\".", ex);
        }
    }

    private async Task EnsureNetworkPolicyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await client.NetworkingV1.CreateNamespacedNetworkPolicyAsync(PodManifest.DenyAll(_options), _kubernetes.Namespace, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // Made by an earlier start: a NetworkPolicy's rules are what its spec says, and SMCP's never changes.
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            throw new SandboxException(
                SandboxError.EngineUnavailable,
                $"SMCP could not create its NetworkPolicy in namespace '{_kubernetes.Namespace}' ({Refusal(ex)}): the namespace must exist and the Role in " +
                "README \"Sandboxes on Kubernetes\" be bound to SMCP's account.", ex);
        }
    }

    /// <summary>Watches the new pod until it runs; a pod that will not (its image cannot be pulled, it ended) fails the start with why.</summary>
    private async Task WaitRunningAsync(string name, SandboxSpec spec, CancellationToken cancellationToken)
    {
        while (true)
        {
            await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync(
                _kubernetes.Namespace, fieldSelector: "metadata.name=" + name, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (type == WatchEventType.Deleted)
                {
                    throw new SandboxException(SandboxError.EngineUnavailable, "The sandbox's pod was deleted before it ran.");
                }

                var status = pod.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == PodManifest.ContainerName);
                if (status?.State?.Running is not null)
                {
                    return;
                }

                if (status?.State?.Waiting is { Reason: { } reason } && StuckReasons.Contains(reason))
                {
                    throw PullReasons.Contains(reason)
                        ? new SandboxException(SandboxError.ImageNotFound, $"The cluster could not pull the image '{spec.Image}' ({reason}): is it pushed to the registry, and may the nodes pull from it?")
                        : new SandboxException(SandboxError.InvalidImage, $"The sandbox's container could not be created ({reason}).");
                }

                var terminated = KubernetesPod.Terminated(pod);
                if (terminated is not null || pod.Status?.Phase is "Failed" or "Succeeded")
                {
                    var code = terminated?.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown";
                    throw new SandboxException(SandboxError.InvalidImage, $"The MCP server ended before it could be attached to (exit code {code}).");
                }
            }
        }
    }

    private async Task DeleteQuietlyAsync(string name)
    {
        try
        {
            await client.CoreV1.DeleteNamespacedPodAsync(name, _kubernetes.Namespace, gracePeriodSeconds: 0, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone.
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException)
        {
            Log.RemoveFailed(_logger, ex, name, name);
        }
    }

    /// <summary>The API server's own reason from its Status object (no credentials are in it), else the HTTP status.</summary>
    private static string Refusal(HttpOperationException ex) =>
        ex.Body is V1Status { Message: { Length: > 0 } message } ? message : $"HTTP {(int)ex.Response.StatusCode}";

    private SandboxException Unreachable(Exception inner) => new(
        SandboxError.EngineUnavailable,
        $"The Kubernetes API server does not answer ({inner.GetType().Name}); check sandbox.kubernetes in smcp.yaml (kubeconfig, context or inCluster) and that the cluster is up.",
        inner);
}
