using System.Collections.Concurrent;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Proxy.Tests.Clients;

/// <summary>The official C# SDK client, both transports, against the conformance server and server-everything in sandboxes.</summary>
[TestFixture(HttpTransportMode.StreamableHttp)]
[TestFixture(HttpTransportMode.Sse)]
public sealed class SdkClientTests(HttpTransportMode mode)
{
    private McpClient _conformance = null!;
    private McpClient _everything = null!;
    private readonly ConcurrentQueue<JsonRpcNotification> _everythingProgress = new();

    [OneTimeSetUp]
    public async Task ConnectAsync()
    {
        _conformance = await ConnectAsync("conf", mode);
        _everything = await ConnectAsync("every", mode, progress: _everythingProgress);
    }

    [OneTimeTearDown]
    public async Task DisconnectAsync()
    {
        await _conformance.DisposeAsync();
        await _everything.DisposeAsync();
    }

    internal static async Task<McpClient> ConnectAsync(
        string server, HttpTransportMode mode, string tenant = "acme", string token = TestCredentials.AcmeUser, ConcurrentQueue<JsonRpcNotification>? progress = null)
    {
        var path = mode == HttpTransportMode.Sse ? "sse" : "mcp";
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(TestHost.BaseUri, $"/t/{tenant}/{server}/{path}"),
            TransportMode = mode,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
        });
        return await McpClient.CreateAsync(transport, new McpClientOptions
        {
            ProtocolVersion = mode == HttpTransportMode.Sse ? "2024-11-05" : "2025-11-25",
            InitializationTimeout = TimeSpan.FromMinutes(5),
            Capabilities = new ClientCapabilities { Sampling = new SamplingCapability(), Elicitation = new ElicitationCapability() },
            Handlers = new McpClientHandlers
            {
                // A handler for the whole client: the per-call IProgress is unhooked as soon as the answer is in,
                // and the SDK may run a notification after the answer that came before it.
                NotificationHandlers = progress is null ? [] :
                [
                    new(NotificationMethods.ProgressNotification, (notification, _) =>
                    {
                        progress.Enqueue(notification);
                        return ValueTask.CompletedTask;
                    }),
                ],
                SamplingHandler = (request, _, _) => ValueTask.FromResult(new CreateMessageResult
                {
                    Role = Role.Assistant,
                    Model = "test-model",
                    Content = [new TextContentBlock { Text = "sampled: " + string.Join(" ", request!.Messages.SelectMany(m => m.Content).OfType<TextContentBlock>().Select(t => t.Text)) }],
                }),
                ElicitationHandler = (_, _) => ValueTask.FromResult(new ElicitResult
                {
                    Action = "accept",
                    Content = new Dictionary<string, JsonElement>
                    {
                        ["username"] = JsonSerializer.SerializeToElement("ada"),
                        ["email"] = JsonSerializer.SerializeToElement("ada@example.com"),
                    },
                }),
            },
        });
    }

    [Test]
    public async Task Lists_and_calls_tools_of_both_servers()
    {
        var conformanceTools = await _conformance.ListToolsAsync();
        var everythingTools = await _everything.ListToolsAsync();
        var echo = await _everything.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "through the proxy" });

        Assert.That(conformanceTools.Select(t => t.Name), Does.Contain("test_simple_text").And.Contain("echo"));
        Assert.That(everythingTools.Select(t => t.Name), Does.Contain("echo").And.Contain("get-sum"));
        Assert.That(Text(echo), Is.EqualTo("Echo: through the proxy"));
    }

    [Test]
    public async Task Lists_and_gets_prompts()
    {
        var prompts = await _everything.ListPromptsAsync();
        var prompt = await _conformance.GetPromptAsync("test_prompt_with_arguments", new Dictionary<string, object?> { ["arg1"] = "x", ["arg2"] = "y" });

        Assert.That(prompts.Select(p => p.Name), Does.Contain("simple-prompt"));
        Assert.That(prompt.Messages, Is.Not.Empty);
    }

    [Test]
    public async Task Lists_and_reads_resources()
    {
        var resources = await _conformance.ListResourcesAsync();
        var read = await _conformance.ReadResourceAsync("test://static-text");

        Assert.That(resources.Select(r => r.Uri), Does.Contain("test://static-text"));
        Assert.That(read.Contents.OfType<TextResourceContents>().Single().Text, Is.Not.Empty);
    }

    [Test]
    public async Task Progress_notifications_reach_the_caller()
    {
        _everythingProgress.Clear();
        var result = await _everything.CallToolAsync("trigger-long-running-operation",
            new Dictionary<string, object?> { ["duration"] = 1, ["steps"] = 3 }, new Progress<ProgressNotificationValue>());
        for (var wait = 0; wait < 50 && _everythingProgress.Count < 3; wait++)
        {
            await Task.Delay(100);
        }

        Assert.That(result.IsError, Is.Not.True);
        Assert.That(_everythingProgress.Select(n => n.Params!["progress"]!.GetValue<double>()).Order(), Is.EqualTo(new double[] { 1, 2, 3 }));
    }

    [Test]
    public async Task Sampling_request_from_the_server_is_answered_by_the_client()
    {
        var conformance = await _conformance.CallToolAsync("test_sampling", new Dictionary<string, object?> { ["prompt"] = "hello" });
        var everything = await _everything.CallToolAsync("trigger-sampling-request", new Dictionary<string, object?> { ["prompt"] = "hi", ["maxTokens"] = 10 });

        Assert.That(Text(conformance), Is.EqualTo("LLM response: sampled: hello"));
        Assert.That(Text(everything), Does.Contain("sampled: "));
    }

    [Test]
    public async Task Elicitation_request_from_the_server_is_answered_by_the_client()
    {
        var result = await _conformance.CallToolAsync("test_elicitation", new Dictionary<string, object?> { ["message"] = "who are you?" });

        Assert.That(Text(result), Does.Contain("ada@example.com"));
    }

    [Test]
    public async Task Cancelled_call_stops_and_the_session_goes_on()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        // The SDK either gives up first (OperationCanceledException) or first sees the proxy's -32800 answer to the cancelled call.
        Assert.That(
            async () => await _conformance.CallToolAsync("sleep", new Dictionary<string, object?> { ["ms"] = 60000 }, cancellationToken: cancel.Token),
            Throws.InstanceOf<OperationCanceledException>().Or.InstanceOf<McpProtocolException>().With.Message.Contains("cancel"));
        var after = await _conformance.CallToolAsync("echo", new Dictionary<string, object?> { ["message"] = "after cancel" });

        Assert.That(Text(after), Is.EqualTo("Echo: after cancel"));
    }

    internal static string Text(CallToolResult result) => string.Join("", result.Content.OfType<TextContentBlock>().Select(t => t.Text));
}
