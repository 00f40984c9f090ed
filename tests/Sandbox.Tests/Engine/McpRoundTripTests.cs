using System.Text.Json.Nodes;
using Smcp.Sandbox.Tests.Support;

namespace Smcp.Sandbox.Tests.Engine;

/// <summary>MCP over a sandbox's stdio, for both server images under both runtimes; one sandbox per fixture.</summary>
[TestFixture(SandboxRuntimes.Gvisor, TestDocker.Conformance)]
[TestFixture(SandboxRuntimes.Runc, TestDocker.Conformance)]
[TestFixture(SandboxRuntimes.Gvisor, TestDocker.Everything)]
[TestFixture(SandboxRuntimes.Runc, TestDocker.Everything)]
public sealed class McpRoundTripTests(string runtime, string image)
{
    private RpcClient _client = null!;
    private JsonObject _initialize = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        var engine = await TestDocker.EngineAsync(runtime);
        _client = new RpcClient(await engine.StartAsync(TestDocker.Spec(image), CancellationToken.None));
        _initialize = await _client.InitializeAsync();
    }

    [OneTimeTearDown]
    public async Task StopServer() => await _client.DisposeAsync();

    [Test]
    public void Initialize_returns_the_servers_info_and_capabilities()
    {
        Assert.That(_initialize["result"]?["serverInfo"]?["name"]?.GetValue<string>(), Is.Not.Null.And.Not.Empty, _initialize.ToJsonString());
        Assert.That(_initialize["result"]!["capabilities"]!["tools"], Is.Not.Null);
        Assert.That(_initialize["result"]!["protocolVersion"]!.GetValue<string>(), Is.EqualTo("2025-06-18"));
    }

    [Test]
    public async Task Tools_list_includes_echo()
    {
        var response = await _client.RequestAsync("tools/list");
        var names = response["result"]!["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>());
        Assert.That(names, Does.Contain("echo"));
    }

    [Test]
    public async Task Tools_call_echo_round_trips()
    {
        var response = await _client.CallToolAsync("echo", new JsonObject { ["message"] = "héllo sandbox" });
        var text = response["result"]!["content"]![0]!["text"]!.GetValue<string>();
        Assert.That(text, Is.EqualTo("Echo: héllo sandbox"));
    }

    [Test]
    public async Task Many_concurrent_calls_each_get_their_own_answer()
    {
        var calls = Enumerable.Range(0, 50).Select(async i =>
        {
            var response = await _client.CallToolAsync("echo", new JsonObject { ["message"] = $"m{i}" });
            return response["result"]!["content"]![0]!["text"]!.GetValue<string>();
        });

        var texts = await Task.WhenAll(calls);
        Assert.That(texts, Is.EqualTo(Enumerable.Range(0, 50).Select(i => $"Echo: m{i}")));
    }

    [Test]
    public async Task Unknown_method_gets_a_json_rpc_error()
    {
        var response = await _client.RequestAsync("no/such/method");
        Assert.That(response["error"]?["code"]?.GetValue<int>(), Is.EqualTo(-32601));
    }
}

/// <summary>Out-of-order answers and crashes, on the project's own C# server.</summary>
[TestFixture(SandboxRuntimes.Gvisor)]
[TestFixture(SandboxRuntimes.Runc)]
public sealed class ServerBehaviourTests(string runtime)
{
    [Test]
    public async Task Responses_are_matched_by_id_when_they_arrive_out_of_order_and_a_crash_ends_the_channel_with_its_exit_code()
    {
        var engine = await TestDocker.EngineAsync(runtime);
        await using var client = new RpcClient(await engine.StartAsync(TestDocker.Spec(TestDocker.Conformance), CancellationToken.None));
        await client.InitializeAsync();

        var slow = client.CallToolAsync("sleep", new JsonObject { ["ms"] = 1500 });
        await Task.Delay(100);
        var fast = await client.CallToolAsync("echo", new JsonObject { ["message"] = "fast" });
        var slowResult = await slow;

        Assert.That(fast["result"]!["content"]![0]!["text"]!.GetValue<string>(), Is.EqualTo("Echo: fast"));
        Assert.That(slowResult["result"]!["content"]![0]!["text"]!.GetValue<string>(), Is.EqualTo("slept 1500"));
        var order = client.ArrivalOrder.ToArray();
        Assert.That(Array.IndexOf(order, fast["id"]!.GetValue<long>()), Is.LessThan(Array.IndexOf(order, slowResult["id"]!.GetValue<long>())));

        // A crash mid-request: the pending call fails, the channel ends, the exit code is reported.
        var pending = client.CallToolAsync("sleep", new JsonObject { ["ms"] = 60000 });
        var crash = client.CallToolAsync("crash", new JsonObject());
        Assert.That(async () => await crash, Throws.InvalidOperationException);
        Assert.That(async () => await pending, Throws.InvalidOperationException);
        var sandbox = client.Sandbox;
        var exit = await sandbox.Exited.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(exit.Reason, Is.EqualTo(SandboxExitReason.Exited));
        Assert.That(exit.ExitCode, Is.EqualTo(3));
        Assert.That(sandbox.Messages.Completion.IsCompleted, Is.True);
        Assert.That(async () => await sandbox.SendAsync("{}"u8.ToArray(), CancellationToken.None), Throws.InvalidOperationException);
    }

    [Test]
    public async Task The_default_pids_limit_holds_under_load()
    {
        var engine = await TestDocker.EngineAsync(runtime);
        await using var client = new RpcClient(await engine.StartAsync(TestDocker.Spec(TestDocker.Conformance), CancellationToken.None));
        await client.InitializeAsync();

        // 200 calls in flight at once, each holding a thread-pool slot or timer in the server for 300 ms.
        var calls = Enumerable.Range(0, 200).Select(_ => client.CallToolAsync("sleep", new JsonObject { ["ms"] = 300 }, TimeSpan.FromSeconds(120)));
        var responses = await Task.WhenAll(calls);

        Assert.That(responses.Count(r => r["result"] is not null), Is.EqualTo(200));
        Assert.That(client.Sandbox.Exited.IsCompleted, Is.False);
    }
}
