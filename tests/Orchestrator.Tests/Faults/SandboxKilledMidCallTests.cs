using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Faults;

/// <summary>A session's sandbox killed (as the OOM killer or an admin would) while a tool call waits in it.</summary>
public sealed class SandboxKilledMidCallTests
{
    [Test]
    public async Task The_waiting_call_gets_a_json_rpc_error_within_a_second_and_the_next_initialize_works()
    {
        await using var smcp = await SmcpServerFixture.StartAsync("killed", """
            tenants:
              - id: acme
            """);
        using var admin = smcp.Client(SmcpServerFixture.AdminKey);
        using var mcp = smcp.Client(await SmcpServerFixture.DeployAsync(admin, "smcp-test/hostile:test"));
        var session = await HostMcp.InitializeAsync(mcp);
        using var containers = new SandboxContainers();
        var sandbox = (await containers.ListAsync(smcp.InstanceId, "acme")).Single();

        var call = SmcpServerFixture.PostMcpAsync(mcp, session, HostMcp.ToolCall(7, "hang"));
        await Task.Delay(500);
        Assert.That(call.IsCompleted, Is.False, "the hostile server never answers `hang`");
        var clock = Stopwatch.StartNew();
        await containers.KillAsync(sandbox);
        var answer = await call.WaitAsync(TimeSpan.FromSeconds(5));
        var body = await answer.Content.ReadAsStringAsync();
        clock.Stop();

        TestContext.Out.WriteLine($"FAULT-TIMING sandbox-killed-to-client-error-ms={clock.ElapsedMilliseconds}");
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var error = HostMcp.Message(body)["error"];
        Assert.That(error, Is.Not.Null, body);
        Assert.That(HostMcp.Message(body)["id"]!.GetValue<int>(), Is.EqualTo(7));
        Assert.That(error!["message"]!.GetValue<string>(), Does.Contain("killed"), body);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "the client learns of the dead sandbox within a second");

        var stale = await SmcpServerFixture.PostMcpAsync(mcp, session, HostMcp.ToolCall(8, "echo"));
        Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the ended session is unknown, so the client re-initializes");
        var fresh = await HostMcp.InitializeAsync(mcp);
        var echo = await SmcpServerFixture.PostMcpAsync(mcp, fresh, HostMcp.ToolCall(9, "echo", "after-the-kill"));
        Assert.That(await echo.Content.ReadAsStringAsync(), Does.Contain("after-the-kill"));
    }
}
