using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Smcp.Sandbox.Tests.Support;

/// <summary>A minimal JSON-RPC client over a sandbox's channel: matches responses by id, never by position.</summary>
internal sealed class RpcClient : IAsyncDisposable
{
    private readonly RunningSandbox _sandbox;

    public RunningSandbox Sandbox => _sandbox;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly Task _reader;
    private long _nextId;

    public RpcClient(RunningSandbox sandbox)
    {
        _sandbox = sandbox;
        _reader = Task.Run(ReadAsync);
    }

    /// <summary>The order in which response ids arrived.</summary>
    public ConcurrentQueue<long> ArrivalOrder { get; } = new();

    public ConcurrentQueue<JsonObject> Notifications { get; } = new();

    public Task<JsonObject> InitializeAsync() => RequestAsync("initialize", new JsonObject
    {
        ["protocolVersion"] = "2025-06-18",
        ["capabilities"] = new JsonObject(),
        ["clientInfo"] = new JsonObject { ["name"] = "smcp-tests", ["version"] = "1.0" },
    });

    public async Task<JsonObject> RequestAsync(string method, JsonObject? parameters = null, TimeSpan? timeout = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var pending = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = pending;
        var message = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method };
        if (parameters is not null)
        {
            message["params"] = parameters;
        }

        await _sandbox.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), CancellationToken.None);
        if (method == "initialize")
        {
            var result = await pending.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
            await NotifyAsync("notifications/initialized");
            return result;
        }

        return await pending.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
    }

    public Task<JsonObject> CallToolAsync(string name, JsonObject arguments, TimeSpan? timeout = null) =>
        RequestAsync("tools/call", new JsonObject { ["name"] = name, ["arguments"] = arguments }, timeout);

    public async Task NotifyAsync(string method) =>
        await _sandbox.SendAsync(Encoding.UTF8.GetBytes(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method }.ToJsonString()), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        await _reader;
    }

    private async Task ReadAsync()
    {
        await foreach (var line in _sandbox.Messages.ReadAllAsync())
        {
            var message = JsonNode.Parse(line.Span)!.AsObject();
            if (message["id"] is { } idNode && (message.ContainsKey("result") || message.ContainsKey("error")))
            {
                var id = idNode.GetValueKind() == JsonValueKind.Number ? idNode.GetValue<long>() : long.Parse(idNode.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
                ArrivalOrder.Enqueue(id);
                if (_pending.TryRemove(id, out var pending))
                {
                    pending.TrySetResult(message);
                }
            }
            else
            {
                Notifications.Enqueue(message);
            }
        }

        var ended = new InvalidOperationException("The sandbox's stdout ended.");
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(ended);
        }
    }
}
