using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Smcp.Sandbox.Tests.Support;

namespace Smcp.Sandbox.Tests.Engine;

/// <summary>The hostile test server speaks enough MCP for real clients, and misbehaves only as asked.</summary>
public sealed class HostileServerTests
{
    [Test]
    public async Task It_answers_initialize_tools_and_echo_never_answers_hang_and_adds_answers_nobody_asked_for()
    {
        var engine = await TestDocker.EngineAsync(SandboxRuntimes.Runc);
        await using var sandbox = await engine.StartAsync(TestDocker.Spec(TestDocker.Hostile, "stray"), CancellationToken.None);
        string[] requests =
        [
            """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""",
            """{"jsonrpc":"2.0","method":"notifications/initialized"}""",
            """{"params":{"arguments":{},"name":"hang"},"method":"tools/call","id":2,"jsonrpc":"2.0"}""",
            """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"message":"a \"quoted\" word"}}}""",
            """{"jsonrpc":"2.0","id":4,"method":"tools/list"}""",
            """{"jsonrpc":"2.0","id":5,"method":"resources/list"}""",
        ];
        foreach (var request in requests)
        {
            await sandbox.SendAsync(Encoding.UTF8.GetBytes(request), CancellationToken.None);
        }

        var answers = new Dictionary<string, JsonObject>();
        using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        // Three results with two stray answers each, and one error; then a second of silence shows hang stays unanswered.
        while (answers.Count < 10)
        {
            var line = await sandbox.Messages.ReadAsync(quiet.Token);
            var message = JsonNode.Parse(line.Span)!.AsObject();
            var id = message["id"]!;
            answers[id.GetValueKind() == JsonValueKind.String ? id.GetValue<string>() : id.ToJsonString()] = message;
        }

        using var more = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        Assert.That(async () => await sandbox.Messages.ReadAsync(more.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(answers.ContainsKey("2"), Is.False, "hang is never answered");
        Assert.That(answers["1"]["result"]!["protocolVersion"]!.GetValue<string>(), Is.EqualTo("2025-03-26"));
        Assert.That(answers["3"]["result"]!["content"]![0]!["text"]!.GetValue<string>(), Is.EqualTo("a \"quoted\" word"));
        Assert.That(answers["4"]["result"]!["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "echo", "hang" }));
        Assert.That(answers["5"]["error"]!["code"]!.GetValue<int>(), Is.EqualTo(-32601));
        Assert.That(answers.Keys.Count(k => k.StartsWith("nobody-asked-", StringComparison.Ordinal)), Is.EqualTo(3), "one string id per answered result");
        Assert.That(answers.Keys.Count(k => k.StartsWith("90000000", StringComparison.Ordinal)), Is.EqualTo(3), "one number id per answered result");
    }
}
