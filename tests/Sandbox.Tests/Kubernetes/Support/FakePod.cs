using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Smcp.Sandbox.Tests.Kubernetes.Support;

/// <summary>One pod of <see cref="FakeApiServer"/>: its object, its watchers, and the scripted process behind its attach stream.</summary>
internal sealed class FakePod(string name, JsonObject manifest, PodScript script, Func<string> nextVersion)
{
    private const byte Stdin = 0;
    private const byte Stdout = 1;
    private const byte Stderr = 2;

    private readonly Lock _lock = new();
    private readonly List<Channel<(string, string)>> _watchers = [];
    private readonly CancellationTokenSource _ended = new();
    private JsonObject _status = new() { ["phase"] = "Pending" };
    private readonly string _uid = Guid.NewGuid().ToString();
    private string _version = nextVersion();

    public string Name => name;

    public string? Label(string key) => manifest["metadata"]?["labels"]?[key]?.GetValue<string>();

    public JsonObject Snapshot()
    {
        lock (_lock)
        {
            var pod = manifest.DeepClone().AsObject();
            pod["metadata"]!["uid"] = _uid;
            pod["metadata"]!["resourceVersion"] = _version;
            pod["metadata"]!["creationTimestamp"] = "2026-12-08T00:00:00Z";
            pod["status"] = _status.DeepClone();
            return pod;
        }
    }

    /// <summary>A watcher's events: the type and the pod as JSON, serialized once when the change happened.</summary>
    public Channel<(string Type, string Pod)> Subscribe()
    {
        var channel = Channel.CreateUnbounded<(string, string)>();
        lock (_lock)
        {
            _watchers.Add(channel);
        }

        return channel;
    }

    public void Unsubscribe(Channel<(string Type, string Pod)> channel)
    {
        lock (_lock)
        {
            _watchers.Remove(channel);
        }
    }

    public void SetRunning() => Change(ContainerState(new JsonObject { ["running"] = new JsonObject { ["startedAt"] = "2026-12-08T00:00:01Z" } }, "Running", ready: true));

    public void SetWaiting(string reason) => Change(ContainerState(
        new JsonObject { ["waiting"] = new JsonObject { ["reason"] = reason, ["message"] = $"Back-off pulling image: {reason}" } }, "Pending", ready: false));

    /// <summary>The container is killed (deleted): its terminated state, then DELETED, to every watcher; the attach stream closes.</summary>
    public JsonObject End(int exitCode)
    {
        Terminate(exitCode, "Error");
        var last = Snapshot();
        var json = last.ToJsonString();
        lock (_lock)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(("DELETED", json));
            }
        }

        _ended.Cancel();
        return last;
    }

    /// <summary>The container has ended (the pod stays until it is deleted): its terminated state to every watcher; the attach stream closes.</summary>
    private void Terminate(int exitCode, string reason)
    {
        Change(ContainerState(new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = exitCode, ["reason"] = reason } }, "Failed", ready: false));
        _ended.Cancel();
    }

    /// <summary>The scripted process on the other end of an attach websocket, until it is ended or the client closes.</summary>
    public async Task RunAsync(WebSocket socket)
    {
        var ended = _ended.Token;
        try
        {
            await SendAsync(socket, Stderr, "fake server ready\n"u8.ToArray(), ended);
            var buffer = new byte[64 * 1024];
            var line = new List<byte>();
            var channel = (byte)255;
            var inMessage = false;
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, ended);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                var data = buffer.AsSpan(0, result.Count);
                if (!inMessage && !data.IsEmpty)
                {
                    channel = data[0];
                    data = data[1..];
                }

                inMessage = !result.EndOfMessage;
                if (channel != Stdin)
                {
                    continue;
                }

                foreach (var b in data.ToArray())
                {
                    if (b != (byte)'\n')
                    {
                        line.Add(b);
                        continue;
                    }

                    await AnswerAsync(socket, [.. line], ended);
                    line.Clear();
                }
            }
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "container ended", CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
            // The client went away.
        }
    }

    private async Task AnswerAsync(WebSocket socket, byte[] request, CancellationToken cancellationToken)
    {
        if (script == PodScript.OutOfMemory)
        {
            Terminate(137, "OOMKilled");
            return;
        }

        if (script == PodScript.Flood)
        {
            var chunk = new byte[16 * 1024];
            Array.Fill(chunk, (byte)'x');
            for (var sent = 0; sent < FakeApiServer.FloodBytes; sent += chunk.Length)
            {
                await SendAsync(socket, Stdout, chunk, cancellationToken);
            }

            return;
        }

        var message = JsonNode.Parse(request)!.AsObject();
        var reply = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = message["id"]?.DeepClone(),
            ["result"] = new JsonObject { ["method"] = message["method"]?.DeepClone(), ["pod"] = name },
        };
        await SendAsync(socket, Stdout, Encoding.UTF8.GetBytes(reply.ToJsonString() + "\n"), cancellationToken);
    }

    private static Task SendAsync(WebSocket socket, byte channel, byte[] data, CancellationToken cancellationToken)
    {
        var frame = new byte[data.Length + 1];
        frame[0] = channel;
        data.CopyTo(frame, 1);
        return socket.SendAsync(frame, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
    }

    private JsonObject ContainerState(JsonObject state, string phase, bool ready) => new()
    {
        ["phase"] = phase,
        ["containerStatuses"] = new JsonArray(new JsonObject
        {
            ["name"] = "mcp",
            ["image"] = manifest["spec"]!["containers"]![0]!["image"]!.GetValue<string>(),
            ["imageID"] = "",
            ["ready"] = ready,
            ["restartCount"] = 0,
            ["started"] = ready,
            ["state"] = state,
        }),
    };

    private void Change(JsonObject status)
    {
        lock (_lock)
        {
            _status = status;
            _version = nextVersion();
            var json = Snapshot().ToJsonString();
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(("MODIFIED", json));
            }
        }
    }
}
