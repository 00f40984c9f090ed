using System.Net;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Faults;

/// <summary>The container engine stopped and started again under a real host with a live session.</summary>
public sealed class DockerdRestartTests
{
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(30);

    [Test]
    public async Task While_dockerd_is_down_refusals_are_clear_and_the_api_answers_and_new_sessions_work_once_it_is_back()
    {
        await using var dockerd = await PrivateDockerd.StartAsync();
        await using var smcp = await SmcpServerFixture.StartAsync("dockerd", """
            tenants:
              - id: acme
            """, $"--Sandbox:DockerEndpoint={dockerd.Endpoint}");
        using var admin = smcp.Client(SmcpServerFixture.AdminKey);
        using var mcp = smcp.Client(await SmcpServerFixture.DeployAsync(admin, "smcp-test/hostile:test"));
        var session = await HostMcp.InitializeAsync(mcp);
        using (var containers = new SandboxContainers(dockerd.Endpoint))
        {
            Assert.That(await containers.ListAsync(smcp.InstanceId), Has.Count.EqualTo(1), "the session's sandbox runs on the private engine");
        }

        await dockerd.StopDaemonAsync();

        var onLive = await SmcpServerFixture.PostMcpAsync(mcp, session, HostMcp.ToolCall(1, "echo", "engine-down"));
        var onLiveBody = await onLive.Content.ReadAsStringAsync();
        var initialize = await SmcpServerFixture.PostMcpAsync(mcp, null, SmcpServerFixture.Initialize);
        var initializeBody = await initialize.Content.ReadAsStringAsync();
        var api = await admin.GetAsync("/v1/tenants/acme/servers");
        TestContext.Out.WriteLine($"FAULT-DOCKERD live session {(int)onLive.StatusCode}: {onLiveBody}");
        TestContext.Out.WriteLine($"FAULT-DOCKERD initialize {(int)initialize.StatusCode}: {initializeBody}");

        Assert.That(onLive.StatusCode, Is.AnyOf(HttpStatusCode.OK, HttpStatusCode.NotFound), onLiveBody);
        if (onLive.StatusCode == HttpStatusCode.OK)
        {
            Assert.That(HostMcp.Message(onLiveBody)["error"], Is.Not.Null, "the sandbox went with its engine: the call is a JSON-RPC error");
        }

        Assert.That(initialize.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), initializeBody);
        Assert.That(HostMcp.Message(initializeBody)["error"]!["message"]!.GetValue<string>(), Does.Contain("engine").Or.Contain("dockerd"), initializeBody);
        Assert.That(api.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the API does not need the engine to read");

        await dockerd.StartDaemonAsync();

        var status = HttpStatusCode.ServiceUnavailable;
        string? fresh = null;
        for (var deadline = DateTime.UtcNow + RecoveryTimeout; DateTime.UtcNow < deadline && fresh is null; await Task.Delay(500))
        {
            var again = await SmcpServerFixture.PostMcpAsync(mcp, null, SmcpServerFixture.Initialize);
            status = again.StatusCode;
            fresh = again.Headers.TryGetValues("Mcp-Session-Id", out var id) ? id.Single() : null;
        }

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), $"a new session opens within {RecoveryTimeout.TotalSeconds} s of the engine's return");
        await SmcpServerFixture.PostMcpAsync(mcp, fresh, SmcpServerFixture.Initialized);
        var echo = await SmcpServerFixture.PostMcpAsync(mcp, fresh, HostMcp.ToolCall(2, "echo", "engine-back"));
        Assert.That(await echo.Content.ReadAsStringAsync(), Does.Contain("engine-back"));
        var stale = await SmcpServerFixture.PostMcpAsync(mcp, session, HostMcp.ToolCall(3, "echo"));
        Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the session whose sandbox went with the engine is over");
    }
}
