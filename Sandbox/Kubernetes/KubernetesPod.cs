using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Smcp.Sandbox.Engine;

namespace Smcp.Sandbox.Kubernetes;

/// <summary>A sandbox as a Kubernetes pod: stdio over the pods/attach websocket, its end from a watch on the pod.</summary>
/// <remarks>
/// The attach stream speaks the channel protocol (<c>v4.channel.k8s.io</c>): every binary message starts with its
/// channel, 0 stdin, 1 stdout, 2 stderr, 3 the error channel (a Status when the stream ends). Reads go straight into the
/// caller's buffer, so the only bytes held are the reader loop's: the same bounds as the Docker path.
/// </remarks>
internal sealed class KubernetesPod(IKubernetes client, string @namespace, string name, WebSocket attach) : ISandboxHandle
{
    private const byte StdinChannel = 0;
    private const byte StdoutChannel = 1;
    private const byte StderrChannel = 2;
    private const string OomKilledReason = "OOMKilled";
    private const int MaxWatchFailures = 5;
    private static readonly TimeSpan WatchRetryDelay = TimeSpan.FromMilliseconds(500);

    private byte _channel;
    private bool _inMessage;
    private volatile bool _oomKilled;
    private volatile bool _deleted;

    public string Name => name;

    public async ValueTask<StdioChunk> ReadAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var result = await attach.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return StdioChunk.End;
                }

                var count = result.Count;
                if (!_inMessage)
                {
                    if (count == 0)
                    {
                        continue;
                    }

                    _channel = buffer[0];
                    count--;
                    Buffer.BlockCopy(buffer, 1, buffer, 0, count);
                }

                _inMessage = !result.EndOfMessage;
                // The error channel's Status only repeats what the pod's status says; stdin is never sent back.
                if (count > 0 && _channel is StdoutChannel or StderrChannel)
                {
                    return new StdioChunk(count, _channel == StderrChannel, false);
                }
            }
        }
        catch (WebSocketException ex)
        {
            throw new IOException("The pod's attach stream failed: " + ex.Message, ex);
        }
    }

    public async Task WriteAsync(byte[] buffer, int count, CancellationToken cancellationToken)
    {
        var frame = ArrayPool<byte>.Shared.Rent(count + 1);
        try
        {
            frame[0] = StdinChannel;
            Buffer.BlockCopy(buffer, 0, frame, 1, count);
            await attach.SendAsync(frame.AsMemory(0, count + 1), WebSocketMessageType.Binary, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or InvalidOperationException)
        {
            throw new IOException("The pod's stdin is closed: " + ex.Message, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    public Task StopAsync(TimeSpan grace, CancellationToken cancellationToken) =>
        DeleteAsync((long)Math.Ceiling(grace.TotalSeconds), cancellationToken);

    public Task KillAsync(CancellationToken cancellationToken) => DeleteAsync(0, cancellationToken);

    /// <remarks>
    /// After a stop the API server already deletes the pod once its grace period is over: a second delete with a zero grace
    /// period would cut that short and SIGKILL the server at once.
    /// </remarks>
    public Task RemoveAsync(CancellationToken cancellationToken) => _deleted ? Task.CompletedTask : DeleteAsync(0, cancellationToken);

    /// <summary>Watches the pod until its container has terminated (its exit code) or the pod is gone (null).</summary>
    /// <remarks>
    /// A watch ends when the API server's timeout does, and a connection can drop (an API server restarting, a load
    /// balancer): a new watch starts from the pod's current state. Only <see cref="MaxWatchFailures"/> drops in a row
    /// with no event between them are an engine fault.
    /// </remarks>
    public async Task<long?> WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            var failures = 0;
            while (true)
            {
                try
                {
                    await foreach (var (type, pod) in client.CoreV1.WatchListNamespacedPodAsync(
                        @namespace, fieldSelector: "metadata.name=" + name, timeoutSeconds: 300, cancellationToken: cancellationToken).ConfigureAwait(false))
                    {
                        failures = 0;
                        if (Terminated(pod) is { } terminated)
                        {
                            _oomKilled = terminated.Reason == OomKilledReason;
                            return terminated.ExitCode;
                        }

                        if (type == WatchEventType.Deleted)
                        {
                            return null;
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested && ++failures < MaxWatchFailures)
                {
                    await Task.Delay(WatchRetryDelay, cancellationToken).ConfigureAwait(false);
                }

                if (!await ExistsAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }
            }
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or KubernetesException)
        {
            throw new IOException("Watching the pod failed: " + ex.Message, ex);
        }
    }

    /// <remarks>The kubelet records the OOM kill in the same status that carries the exit code, so no second look is needed.</remarks>
    public Task<bool?> OomKilledAsync(CancellationToken cancellationToken) => Task.FromResult<bool?>(_oomKilled);

    public void Dispose() => attach.Dispose();

    internal static V1ContainerStateTerminated? Terminated(V1Pod pod) =>
        pod.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == PodManifest.ContainerName)?.State?.Terminated;

    private async Task<bool> ExistsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await client.CoreV1.ReadNamespacedPodAsync(name, @namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private async Task DeleteAsync(long graceSeconds, CancellationToken cancellationToken)
    {
        try
        {
            await client.CoreV1.DeleteNamespacedPodAsync(name, @namespace, gracePeriodSeconds: (int)graceSeconds, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            _deleted = true;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone: the end state is the same.
            _deleted = true;
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException)
        {
            throw new IOException("Deleting the pod failed: " + ex.Message, ex);
        }
    }
}
