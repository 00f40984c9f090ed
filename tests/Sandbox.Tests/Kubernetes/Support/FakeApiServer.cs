using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Smcp.Sandbox.Tests.Kubernetes.Support;

/// <summary>What the scripted kubelet does with a pod, chosen by its image's repository name.</summary>
internal enum PodScript
{
    /// <summary>Runs; answers every JSON-RPC request on stdin with a result naming its method, and says hello on stderr.</summary>
    Echo,

    /// <summary>Never runs: the image cannot be pulled (ErrImagePull, then ImagePullBackOff).</summary>
    PullFails,

    /// <summary>Runs; on its first stdin line writes one stdout line of <see cref="FakeApiServer.FloodBytes"/> bytes.</summary>
    Flood,

    /// <summary>Runs; on its first stdin line the kubelet reports it killed for its memory limit (OOMKilled, 137), and the pod stays.</summary>
    OutOfMemory,
}

/// <summary>
/// An in-process Kubernetes API server on 127.0.0.1 for the parts SMCP uses: the real REST paths and JSON bodies (objects
/// as the API server returns them, Status objects on errors), watch streams (one JSON event per line), and pods/attach as a
/// websocket speaking the v4/v5 channel protocol. The kubelet behind it is scripted per image (<see cref="PodScript"/>).
/// </summary>
internal sealed class FakeApiServer : IAsyncDisposable
{
    public const string Namespace = "smcp-sandboxes";
    public const string RuntimeClass = "gvisor";
    public const int FloodBytes = 512 * 1024;
    private static readonly string[] Protocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, FakePod> _pods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, JsonObject> _policies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<CancellationTokenSource, string> _watches = new();
    private long _resourceVersion = 1000;

    private FakeApiServer(WebApplication app) => _app = app;

    /// <summary>Every request SMCP sent, in order: method, path with query, and body (null when none).</summary>
    public ConcurrentQueue<(string Method, string Path, string? Body)> Requests { get; } = new();

    public Uri BaseUri { get; private set; } = null!;

    public IReadOnlyCollection<string> PodNames => _pods.Keys.ToList();

    public IReadOnlyCollection<JsonObject> NetworkPolicies => _policies.Values.ToList();

    public static async Task<FakeApiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeApiServer(app);
        app.UseWebSockets();
        app.Use(server.RecordAsync);
        app.MapGet("/version", () => Results.Json(new { major = "1", minor = "34", gitVersion = "v1.34.0-fake" }));
        app.MapGet("/apis/node.k8s.io/v1/runtimeclasses/{name}", (string name) => name == RuntimeClass
            ? Results.Json(new JsonObject { ["apiVersion"] = "node.k8s.io/v1", ["kind"] = "RuntimeClass", ["metadata"] = new JsonObject { ["name"] = name }, ["handler"] = "runsc" })
            : Status(HttpStatusCode.NotFound, "NotFound", $"runtimeclasses.node.k8s.io \"{name}\" not found"));
        app.MapPost("/apis/networking.k8s.io/v1/namespaces/{ns}/networkpolicies", server.CreatePolicyAsync);
        app.MapPost("/api/v1/namespaces/{ns}/pods", server.CreatePodAsync);
        app.MapGet("/api/v1/namespaces/{ns}/pods", server.ListOrWatchAsync);
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}", (string ns, string name) =>
            server._pods.TryGetValue(name, out var pod) ? Results.Json(pod.Snapshot()) : NotFound(name));
        app.MapDelete("/api/v1/namespaces/{ns}/pods/{name}", (string ns, string name) => server.Delete(name));
        app.Map("/api/v1/namespaces/{ns}/pods/{name}/attach", server.AttachAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUri = new Uri(address);
        return server;
    }

    /// <summary>A pod left by an earlier SMCP process (or by someone else), as the API server would list it.</summary>
    public void AddRunningPod(string name, IDictionary<string, string> labels)
    {
        var manifest = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Namespace, ["labels"] = new JsonObject(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))) },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "mcp", ["image"] = "example/left:1" }) },
        };
        var pod = new FakePod(name, manifest, PodScript.Echo, NextVersion);
        pod.SetRunning();
        _pods[name] = pod;
    }

    /// <summary>Open watches on <paramref name="pod"/>.</summary>
    public int WatchCount(string pod) => _watches.Values.Count(p => p == pod);

    /// <summary>Cuts every open watch of <paramref name="pod"/> mid-stream (no final chunk), as an API server that restarts does.</summary>
    public void DropWatches(string pod)
    {
        foreach (var (drop, _) in _watches.Where(w => w.Value == pod))
        {
            drop.Cancel();
        }
    }

    /// <summary>The bodies of every create SMCP sent to <paramref name="pathEnd"/> (e.g. <c>/pods</c>).</summary>
    public IEnumerable<JsonObject> Created(string pathEnd) =>
        Requests.Where(r => r.Method == "POST" && r.Path.Split('?')[0].EndsWith(pathEnd, StringComparison.Ordinal) && r.Body is not null)
            .Select(r => JsonNode.Parse(r.Body!)!.AsObject());

    public async ValueTask DisposeAsync()
    {
        foreach (var pod in _pods.Values)
        {
            pod.End(137);
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private string NextVersion() => Interlocked.Increment(ref _resourceVersion).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        string? body = null;
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8, leaveOpen: true);
            body = await reader.ReadToEndAsync();
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        }

        Requests.Enqueue((context.Request.Method, context.Request.Path + context.Request.QueryString, body));
        await next(context);
    }

    private async Task<IResult> CreatePolicyAsync(string ns, HttpRequest request)
    {
        var policy = (await JsonNode.ParseAsync(request.Body))!.AsObject();
        var name = policy["metadata"]!["name"]!.GetValue<string>();
        if (!_policies.TryAdd(name, policy))
        {
            return Status(HttpStatusCode.Conflict, "AlreadyExists", $"networkpolicies.networking.k8s.io \"{name}\" already exists");
        }

        policy["metadata"]!["uid"] = Guid.NewGuid().ToString();
        policy["metadata"]!["resourceVersion"] = NextVersion();
        return Results.Json(policy, statusCode: StatusCodes.Status201Created);
    }

    private async Task<IResult> CreatePodAsync(string ns, HttpRequest request)
    {
        var manifest = (await JsonNode.ParseAsync(request.Body))!.AsObject();
        var name = manifest["metadata"]!["name"]!.GetValue<string>();
        var image = manifest["spec"]!["containers"]![0]!["image"]!.GetValue<string>();
        var script = image.Contains("/pullfails@", StringComparison.Ordinal) ? PodScript.PullFails
            : image.Contains("/flood@", StringComparison.Ordinal) ? PodScript.Flood
            : image.Contains("/oom@", StringComparison.Ordinal) ? PodScript.OutOfMemory
            : PodScript.Echo;
        var pod = new FakePod(name, manifest, script, NextVersion);
        if (!_pods.TryAdd(name, pod))
        {
            return Status(HttpStatusCode.Conflict, "AlreadyExists", $"pods \"{name}\" already exists");
        }

        var created = pod.Snapshot();
        // The kubelet's part, after the API server answered: the pod runs, or its image pull fails.
        _ = Task.Run(async () =>
        {
            await Task.Delay(20);
            if (script == PodScript.PullFails)
            {
                pod.SetWaiting("ErrImagePull");
                await Task.Delay(20);
                pod.SetWaiting("ImagePullBackOff");
            }
            else
            {
                pod.SetRunning();
            }
        });
        return Results.Json(created, statusCode: StatusCodes.Status201Created);
    }

    private async Task ListOrWatchAsync(string ns, HttpContext context)
    {
        var query = context.Request.Query;
        IEnumerable<FakePod> pods = _pods.Values;
        if (query["fieldSelector"].ToString() is { Length: > 0 } field)
        {
            var name = field["metadata.name=".Length..];
            pods = pods.Where(p => p.Name == name);
        }

        if (query["labelSelector"].ToString() is { Length: > 0 } label)
        {
            var (key, value) = (label.Split('=')[0], label.Split('=')[1]);
            pods = pods.Where(p => p.Label(key) == value);
        }

        if (query["watch"] != "true" && query["watch"] != "1")
        {
            await Results.Json(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "PodList",
                ["metadata"] = new JsonObject { ["resourceVersion"] = NextVersion() },
                ["items"] = new JsonArray([.. pods.Select(p => (JsonNode)p.Snapshot())]),
            }).ExecuteAsync(context);
            return;
        }

        // A watch: the current state as ADDED, then each change, one JSON event per line, until the pod is deleted.
        context.Response.ContentType = "application/json";
        var watched = pods.ToList();
        if (watched.Count != 1)
        {
            await context.Response.StartAsync();
            return;
        }

        var pod = watched[0];
        var events = pod.Subscribe();
        using var drop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        _watches[drop] = pod.Name;
        try
        {
            await WriteEventAsync(context, "ADDED", pod.Snapshot().ToJsonString());
            await foreach (var (type, snapshot) in events.Reader.ReadAllAsync(drop.Token))
            {
                await WriteEventAsync(context, type, snapshot);
                if (type == "DELETED")
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client closed its watch.
        }
        catch (OperationCanceledException) when (drop.IsCancellationRequested)
        {
            // Failing the request after its response started makes Kestrel cut the connection without the final chunk.
            throw new IOException("watch dropped by the test");
        }
        finally
        {
            _watches.TryRemove(drop, out _);
            pod.Unsubscribe(events);
        }
    }

    private static async Task WriteEventAsync(HttpContext context, string type, string pod)
    {
        var line = $"{{\"type\":\"{type}\",\"object\":{pod}}}\n";
        await context.Response.WriteAsync(line, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private IResult Delete(string name)
    {
        if (!_pods.TryRemove(name, out var pod))
        {
            return NotFound(name);
        }

        var last = pod.End(137);
        return Results.Json(last);
    }

    private async Task AttachAsync(string ns, string name, HttpContext context)
    {
        if (!_pods.TryGetValue(name, out var pod))
        {
            await NotFound(name).ExecuteAsync(context);
            return;
        }

        var offered = context.WebSockets.WebSocketRequestedProtocols;
        var protocol = Protocols.FirstOrDefault(offered.Contains);
        var query = context.Request.Query;
        if (!context.WebSockets.IsWebSocketRequest || protocol is null || query["stdin"] != "1" || query["stdout"] != "1" || query["container"] != "mcp")
        {
            await Status(HttpStatusCode.BadRequest, "BadRequest", "attach needs a websocket with a channel.k8s.io protocol, stdin, stdout and container=mcp").ExecuteAsync(context);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(protocol);
        await pod.RunAsync(socket);
    }

    private static IResult NotFound(string name) => Status(HttpStatusCode.NotFound, "NotFound", $"pods \"{name}\" not found");

    /// <summary>A metav1.Status, as the API server sends with every error.</summary>
    private static IResult Status(HttpStatusCode code, string reason, string message) => Results.Json(
        new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = (int)code,
        },
        statusCode: (int)code);
}
