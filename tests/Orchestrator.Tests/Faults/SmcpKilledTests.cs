using System.Net;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Faults;

/// <summary>The <c>smcp</c> process SIGKILLed with live sessions and started again with the same configuration.</summary>
public sealed class SmcpKilledTests
{
    [Test]
    public async Task After_a_sigkill_and_restart_no_orphan_sandbox_remains_and_old_session_ids_answer_404()
    {
        await using var database = await PostgresFixture.CreateAsync("sigkill");
        var instanceId = $"smcp-api-tests-sigkill{SmcpServerFixture.InstanceSuffix}";
        var config = SmcpProcess.WriteConfig(database, instanceId, """
            tenants:
              - id: acme
            """);
        using var removeConfig = new DirectoryRemoval(Path.GetDirectoryName(config)!);
        var masterKey = SmcpProcess.NewMasterKey();
        using var containers = new SandboxContainers();
        string key;
        string[] sessions;
        await using (var first = await SmcpProcess.StartAsync(config, masterKey))
        {
            using var admin = first.Client(SmcpServerFixture.AdminKey);
            key = await SmcpServerFixture.DeployAsync(admin, "smcp-test/hostile:test");
            using var mcp = first.Client(key);
            sessions = [await HostMcp.InitializeAsync(mcp), await HostMcp.InitializeAsync(mcp)];
            Assert.That(await containers.ListAsync(instanceId), Has.Count.EqualTo(2), "one sandbox per session");

            await first.KillAsync();

            Assert.That(await containers.ListAsync(instanceId), Has.Count.EqualTo(2), "a SIGKILLed smcp leaves its sandboxes behind");
        }

        await using var second = await SmcpProcess.StartAsync(config, masterKey);
        var leftovers = await containers.ListAsync(instanceId);
        using (var mcp = second.Client(key))
        {
            Assert.That(leftovers, Is.Empty, "the restarted smcp removed the sandboxes of its killed run before it listened");
            foreach (var session in sessions)
            {
                var stale = await SmcpServerFixture.PostMcpAsync(mcp, session, HostMcp.ToolCall(1, "echo"));
                Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "an old session id is unknown, so its client re-initializes");
            }

            var fresh = await HostMcp.InitializeAsync(mcp);
            var echo = await SmcpServerFixture.PostMcpAsync(mcp, fresh, HostMcp.ToolCall(2, "echo", "after-the-restart"));
            Assert.That(await echo.Content.ReadAsStringAsync(), Does.Contain("after-the-restart"));
        }

        using var after = second.Client(SmcpServerFixture.AdminKey);
        Assert.That(await after.GetStringAsync("/v1/tenants/acme/sessions"), Does.Not.Contain(sessions[0]).And.Not.Contain(sessions[1]),
            "the killed run's sessions are not listed as open");
    }

    [Test]
    public async Task A_sigterm_ends_smcp_with_its_session_and_warm_sandboxes_removed()
    {
        await using var database = await PostgresFixture.CreateAsync("sigterm");
        var instanceId = $"smcp-api-tests-sigterm{SmcpServerFixture.InstanceSuffix}";
        var config = SmcpProcess.WriteConfig(database, instanceId, """
            tenants:
              - id: acme
                quotas: { warmPoolSize: 2 }
            """);
        using var removeConfig = new DirectoryRemoval(Path.GetDirectoryName(config)!);
        using var containers = new SandboxContainers();
        var smcp = await SmcpProcess.StartAsync(config, SmcpProcess.NewMasterKey());
        await using (smcp)
        {
            using var admin = smcp.Client(SmcpServerFixture.AdminKey);
            var key = await SmcpServerFixture.DeployAsync(admin, "smcp-test/hostile:test");
            using var mcp = smcp.Client(key);
            await HostMcp.InitializeAsync(mcp);
            await HostMcp.InitializeAsync(mcp);
            for (var wait = 0; (await containers.ListAsync(instanceId)).Count < 4 && wait < 100; wait++)
            {
                await Task.Delay(200);
            }

            Assert.That(await containers.ListAsync(instanceId), Has.Count.EqualTo(4), "two sessions' sandboxes and two warm ones");
        }

        // Disposing sends SIGTERM and waits 20 s before a SIGKILL: a clean stop removes every sandbox itself.
        Assert.That(smcp.ExitedCleanly, Is.True, "smcp ended on the SIGTERM within 20 s, with exit code 0");
        Assert.That(await containers.ListAsync(instanceId), Is.Empty, "a stopped smcp leaves no sandbox behind");
    }

    private sealed class DirectoryRemoval(string path) : IDisposable
    {
        public void Dispose() => Directory.Delete(path, recursive: true);
    }
}
