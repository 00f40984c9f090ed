using System.Net;
using System.Text.Json.Nodes;
using Docker.DotNet;
using Smcp.Proxy.Tests.Support;
using Smcp.Proxy.Tests.Transport;

namespace Smcp.Proxy.Tests.Sessions;

/// <summary>How sessions end: DELETE, idle timeout, the sandbox's death, request deadlines; and the limits on opening them.</summary>
public sealed class SessionEndTests
{
    private static McpHttp Http => TestHost.Http();

    [Test]
    public async Task Delete_ends_the_session_and_removes_its_sandbox_then_the_id_returns_404()
    {
        var session = await Http.InitializeAsync();
        var container = await ContainerOfAsync(session);

        using var deleted = await Http.SendAsync(Http.Request(HttpMethod.Delete, session: session, version: "2025-11-25"));
        using var after = await Http.PostAsync(McpHttp.Call(1, "echo", """{"message":"gone"}"""), session);

        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.ThrowsAsync<DockerContainerNotFoundException>(async () => await TestHost.Docker.Containers.InspectContainerAsync(container));
    }

    [Test]
    public async Task Sandbox_that_dies_mid_call_answers_every_pending_request_with_its_exit_and_the_session_is_gone()
    {
        var session = await Http.InitializeAsync();
        var sleeping = Http.PostAsync(McpHttp.Call("sleeper", "sleep", """{"ms":30000}"""), session);
        await Task.Delay(300);
        using var crashed = await Http.PostAsync(McpHttp.Call("crasher", "crash"), session);
        using var slept = await sleeping.WaitAsync(TimeSpan.FromSeconds(30));
        var crashError = await AdmissionTests.ErrorAsync(crashed);
        var sleepError = await AdmissionTests.ErrorAsync(slept);
        using var after = await Http.PostAsync(McpHttp.Call(2, "echo", """{"message":"anyone?"}"""), session);

        Assert.That(crashError["message"]!.GetValue<string>(), Is.EqualTo("The MCP server exited with code 3."));
        Assert.That(sleepError["message"]!.GetValue<string>(), Is.EqualTo("The MCP server exited with code 3."));
        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Idle_session_is_ended_after_its_targets_idle_timeout()
    {
        var http = TestHost.Http("acme", "idle");
        var session = await http.InitializeAsync();
        await Task.Delay(TimeSpan.FromSeconds(4));
        using var after = await http.PostAsync(McpHttp.Call(1, "echo", """{"message":"still there?"}"""), session);

        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        // The session row is closed after the session has left the store (and so answers 404): wait for it.
        var reason = "";
        for (var i = 0; i < 100 && !TestHost.Recorder.Ended.TryGetValue(session, out reason); i++)
        {
            await Task.Delay(100);
        }

        Assert.That(reason, Is.EqualTo("idle timeout"));
    }

    [Test]
    public async Task A_call_longer_than_the_idle_timeout_does_not_leave_its_session_to_be_reaped_when_answered()
    {
        var http = TestHost.Http("acme", "idle");
        var session = await http.InitializeAsync();
        using var slow = await http.PostAsync(McpHttp.Call("slow", "sleep", """{"ms":3000}"""), session);
        Assert.That(slow.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        // Well within the 2 s idle timeout of the answer, though 4 s after the client last sent anything.
        await Task.Delay(TimeSpan.FromSeconds(1));

        using var next = await http.PostAsync(McpHttp.Call("next", "echo", """{"message":"still here"}"""), session);

        Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.OK), "idle time counts from the answer, not from the request");
        (await http.SendAsync(http.Request(HttpMethod.Delete, session: session))).Dispose();
    }

    [Test]
    public async Task Request_over_the_maximum_duration_gets_a_timeout_error()
    {
        var session = await Http.InitializeAsync();
        using var response = await Http.PostAsync(McpHttp.Call("long", "sleep", """{"ms":120000}"""), session);
        var error = await AdmissionTests.ErrorAsync(response);
        using var next = await Http.PostAsync(McpHttp.Call("next", "echo", """{"message":"alive"}"""), session);

        Assert.That(error["code"]!.GetValue<int>(), Is.EqualTo(-32001));
        Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the session goes on after a timed-out request");
        (await Http.SendAsync(Http.Request(HttpMethod.Delete, session: session))).Dispose();
    }

    [Test]
    public async Task Tenant_at_its_sandbox_limit_gets_429_with_retry_after()
    {
        var http = TestHost.Http("small", "conf");
        var first = await http.InitializeAsync(token: TestCredentials.Admin);
        using var refused = await http.SendAsync(http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"), TestCredentials.Admin));
        var error = await AdmissionTests.ErrorAsync(refused);

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refused.Headers.RetryAfter!.Delta, Is.EqualTo(TimeSpan.FromSeconds(7)));
        Assert.That(error["message"]!.GetValue<string>(), Is.EqualTo(
            "Tenant 'small' already runs its limit of 1 sandboxes, and none of its sessions will have been idle 30 seconds to be reclaimed " +
            "within the 6 seconds an initialize may wait."));
        (await http.SendAsync(http.Request(HttpMethod.Delete, token: TestCredentials.Admin, session: first))).Dispose();
    }

    [Test]
    public async Task Tenant_over_its_request_rate_gets_429_with_retry_after()
    {
        var http = TestHost.Http("limited", "conf");
        var session = await http.InitializeAsync(token: TestCredentials.Admin);
        var statuses = new List<HttpStatusCode>();
        TimeSpan? retryAfter = null;
        for (var i = 0; i < 3; i++)
        {
            using var response = await http.PostAsync(McpHttp.Call(i, "echo", """{"message":"r"}"""), session, token: TestCredentials.Admin);
            statuses.Add(response.StatusCode);
            retryAfter ??= response.Headers.RetryAfter?.Delta;
        }

        Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests }),
            "initialize and notifications/initialized took 2 of 3: every message counts, notifications too");
        Assert.That(retryAfter, Is.GreaterThan(TimeSpan.Zero));
        (await http.SendAsync(http.Request(HttpMethod.Delete, token: TestCredentials.Admin, session: session))).Dispose();
    }

    private static async Task<string> ContainerOfAsync(string session)
    {
        var sandboxId = TestHost.Recorder.Opened[session];
        var containers = await TestHost.Docker.Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"smcp.session={sandboxId}"] = true } },
        });
        Assert.That(containers, Has.Count.EqualTo(1));
        return containers[0].ID;
    }
}
