using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Smcp.Proxy.Sessions;
using Smcp.Proxy.Tests.Support;
using Smcp.Proxy.Tests.Transport;
using Smcp.Sandbox.Pool;

namespace Smcp.Proxy.Tests.Sessions;

/// <summary>A suspended tenant keeps no session: not one that was opening at the time, not one the suspension's sweep did not reach.</summary>
public sealed class SuspensionTests
{
    [Test]
    public async Task A_session_opening_while_its_tenant_is_suspended_is_ended_and_the_initialize_gets_403()
    {
        var http = TestHost.Http("opening", "conf");
        var found = TestHost.Catalog.NextFound("opening");
        var opening = http.SendAsync(http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"), TestCredentials.Admin));

        // Past the tenant check and cold-starting its sandbox: now the admin suspends the tenant and the live sessions are
        // ended, as TenantSync does (its drain of the warm pool left out, so what is left is the proxy's own doing).
        await found.WaitAsync(TimeSpan.FromSeconds(30));
        TestHost.Catalog.Suspend("opening");
        var endedBySweep = await TestHost.Services.GetRequiredService<IMcpSessionControl>().EndTenantAsync("opening", "tenant suspended");
        using var response = await opening;

        Assert.That(endedBySweep, Is.Zero, "the session was still opening when the suspension's sweep ran");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var error = await AdmissionTests.ErrorAsync(response);
        Assert.That(error["message"]!.GetValue<string>(), Is.EqualTo("Tenant 'opening' is suspended; its MCP servers cannot be used."));
        Assert.That(response.Headers.Contains("Mcp-Session-Id"), Is.False);
        Assert.That(await SandboxesLeftAsync("opening"), Is.Zero, "neither its sandbox nor the warm one its opening started is left");
    }

    [Test]
    public async Task A_live_session_of_a_tenant_suspended_since_is_ended_at_its_next_request()
    {
        var http = TestHost.Http("lapsing", "conf");
        var session = await http.InitializeAsync(token: TestCredentials.Admin);
        var sandbox = TestHost.Recorder.Opened[session];

        TestHost.Catalog.Suspend("lapsing");
        using var after = await http.PostAsync(McpHttp.Call(1, "echo", """{"message":"still allowed?"}"""), session, token: TestCredentials.Admin);

        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(TestHost.Recorder.Ended[session], Is.EqualTo("tenant suspended"));
        Assert.That(await ReclaimTests.ContainersAsync(sandbox), Is.Zero);
    }

    /// <summary>The tenant's live sandboxes once no start is in flight any more (a warm start that lands after a drain is removed at once).</summary>
    private static async Task<int> SandboxesLeftAsync(string tenant)
    {
        var pool = TestHost.Services.GetRequiredService<WarmPool>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (pool.TenantCount(tenant) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        return pool.TenantCount(tenant);
    }
}
