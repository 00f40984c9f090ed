using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Smcp.Proxy.Tests.Support;
using Smcp.Proxy.Tests.Transport;
using Smcp.Sandbox.Pool;

namespace Smcp.Proxy.Tests.Sessions;

/// <summary>
/// A tenant at its sandbox limit whose clients never send DELETE is not locked out: initialize makes
/// room from a warm sandbox of another server, else from the least recently active idle session.
/// </summary>
public sealed class ReclaimTests
{
    private static readonly TimeSpan PastReclaimIdleAfter = TimeSpan.FromMilliseconds(1300);

    [Test]
    public async Task At_the_limit_initialize_reclaims_the_least_recently_active_idle_session_and_that_session_then_gets_404()
    {
        var http = TestHost.Http("crowded", "conf");
        var older = await http.InitializeAsync(token: TestCredentials.Admin);
        var quiet = await http.InitializeAsync(token: TestCredentials.Admin);
        await Task.Delay(PastReclaimIdleAfter);
        // The older session is used again: the quiet one is now the least recently active.
        (await http.PostAsync(McpHttp.Call(1, "echo", """{"message":"still here"}"""), older, token: TestCredentials.Admin)).Dispose();
        await Task.Delay(PastReclaimIdleAfter);
        var quietSandbox = TestHost.Recorder.Opened[quiet];

        var fresh = await http.InitializeAsync(token: TestCredentials.Admin);
        using var quietAfter = await http.PostAsync(McpHttp.Call(2, "echo", """{"message":"anyone?"}"""), quiet, token: TestCredentials.Admin);
        using var olderAfter = await http.PostAsync(McpHttp.Call(3, "echo", """{"message":"and me?"}"""), older, token: TestCredentials.Admin);

        Assert.That(quietAfter.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the reclaimed session is unknown now, so its client re-initializes");
        Assert.That(olderAfter.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the more recently active session is kept");
        Assert.That(TestHost.Recorder.Ended[quiet], Is.EqualTo("reclaimed"));
        Assert.That(TestHost.Recorder.Audit.Count(a => a.SessionId == quiet && a.Outcome == "reclaimed" && a.Method == "session"), Is.EqualTo(1));
        Assert.That(await ContainersAsync(quietSandbox), Is.Zero, "its sandbox is removed");
        Assert.That(Pool.TenantCount("crowded"), Is.EqualTo(2));
        await DeleteAsync(http, older, fresh);
    }

    [Test]
    public async Task A_session_with_a_request_in_flight_is_never_reclaimed_and_the_initialize_gets_429()
    {
        var http = TestHost.Http("busy", "conf");
        var session = await http.InitializeAsync(token: TestCredentials.Admin);
        // Busy for longer than the initialize below may wait (reclaimIdleAfter 1 s, then ReclaimWait 6 s).
        var sleeping = http.PostAsync(McpHttp.Call("sleeper", "sleep", """{"ms":10000}"""), session, token: TestCredentials.Admin);
        await Task.Delay(PastReclaimIdleAfter);

        using var refused = await http.SendAsync(http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"), TestCredentials.Admin));
        var error = await AdmissionTests.ErrorAsync(refused);
        using var slept = await sleeping;

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refused.Headers.RetryAfter!.Delta, Is.EqualTo(TimeSpan.FromSeconds(7)));
        Assert.That(error["message"]!.GetValue<string>(),
            Is.EqualTo("Tenant 'busy' already runs its limit of 1 sandboxes, and every one of its sessions has a request in flight."));
        Assert.That(slept.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the busy session's request completes");
        await DeleteAsync(http, session);
    }

    [Test]
    public async Task At_the_limit_initialize_waits_for_the_least_recently_active_session_to_come_of_age_then_reclaims_it()
    {
        var http = TestHost.Http("patient", "conf");
        var young = await http.InitializeAsync(token: TestCredentials.Admin);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var fresh = await http.InitializeAsync(token: TestCredentials.Admin);
        var waited = clock.Elapsed;
        using var youngAfter = await http.PostAsync(McpHttp.Call(1, "echo", """{"message":"still mine?"}"""), young, token: TestCredentials.Admin);

        Assert.That(waited, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900)), "the session was not reclaimed before it had been idle reclaimIdleAfter (1 s)");
        Assert.That(waited, Is.LessThan(TestHost.ReclaimWait + TimeSpan.FromSeconds(5)));
        Assert.That(youngAfter.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(TestHost.Recorder.Ended[young], Is.EqualTo("reclaimed"));
        Assert.That(Pool.TenantCount("patient"), Is.EqualTo(1));
        await DeleteAsync(http, fresh);
    }

    [Test]
    public async Task Two_initializes_at_once_with_one_idle_session_reclaim_each_session_once_and_never_pass_the_limit()
    {
        var http = TestHost.Http("racing", "conf");
        var idle = await http.InitializeAsync(token: TestCredentials.Admin);
        await Task.Delay(PastReclaimIdleAfter);
        var busy = await http.InitializeAsync(token: TestCredentials.Admin);
        // Busy through the race, however long the reclaims and the cold starts take: it can never make room.
        var sleeping = http.PostAsync(McpHttp.Call("sleeper", "sleep", """{"ms":12000}"""), busy, token: TestCredentials.Admin);

        var racers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            http.SendAsync(http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"), TestCredentials.Admin))));
        var opened = racers.Where(r => r.StatusCode == HttpStatusCode.OK).Select(r => r.Headers.GetValues("Mcp-Session-Id").Single()).ToArray();
        var bodies = string.Join("\n", await Task.WhenAll(racers.Select(r => r.Content.ReadAsStringAsync())));
        using var slept = await sleeping;

        // The first racer takes the idle session's room; the second waits for the first racer's new session to be idle 1 s.
        Assert.That(racers.Select(r => r.StatusCode), Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK }), bodies);
        Assert.That(TestHost.Recorder.Ended[idle], Is.EqualTo("reclaimed"));
        Assert.That(opened.Count(s => TestHost.Recorder.Ended.TryGetValue(s, out var why) && why == "reclaimed"), Is.EqualTo(1));
        Assert.That(TestHost.Recorder.Audit.Count(a => a.Tenant == "racing" && a.SessionId == idle && a.Outcome == "reclaimed"), Is.EqualTo(1),
            "the idle session was reclaimed once, not by both racers");
        Assert.That(slept.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the busy session is not reclaimed");
        Assert.That(Pool.TenantCount("racing"), Is.EqualTo(2), "never more sandboxes than the limit");
        foreach (var racer in racers)
        {
            racer.Dispose();
        }

        await DeleteAsync(http, [busy, .. opened]);
    }

    [Test]
    public async Task Two_initializes_at_once_with_two_idle_sessions_reclaim_one_each_and_both_open()
    {
        var http = TestHost.Http("racing", "conf");
        var first = await http.InitializeAsync(token: TestCredentials.Admin);
        var second = await http.InitializeAsync(token: TestCredentials.Admin);
        await Task.Delay(PastReclaimIdleAfter);

        var racers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            http.SendAsync(http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"), TestCredentials.Admin))));

        Assert.That(racers.Select(r => r.StatusCode), Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK }));
        Assert.That(new[] { TestHost.Recorder.Ended[first], TestHost.Recorder.Ended[second] }, Is.EqualTo(new[] { "reclaimed", "reclaimed" }));
        Assert.That(Pool.TenantCount("racing"), Is.EqualTo(2));
        var opened = racers.Select(r => r.Headers.GetValues("Mcp-Session-Id").Single()).ToArray();
        foreach (var racer in racers)
        {
            racer.Dispose();
        }

        await DeleteAsync(http, opened);
    }

    [Test]
    public async Task At_the_limit_a_warm_sandbox_of_another_server_makes_room_before_any_session_is_reclaimed()
    {
        var x = TestHost.Catalog.Target("warmish", "x");
        var y = TestHost.Catalog.Target("warmish", "y");
        Pool.Warm(x.Spec, x.Pool);
        Pool.Warm(y.Spec, y.Pool);
        await Pool.WhenIdleAsync(x.Spec, CancellationToken.None);
        await Pool.WhenIdleAsync(y.Spec, CancellationToken.None);
        Assert.That(Pool.TenantCount("warmish"), Is.EqualTo(2), "the two warm sandboxes fill the tenant's limit");
        var http = TestHost.Http("warmish", "x");
        var first = await http.InitializeAsync(token: TestCredentials.Admin);
        await Task.Delay(PastReclaimIdleAfter);

        var second = await http.InitializeAsync(token: TestCredentials.Admin);
        using var firstAfter = await http.PostAsync(McpHttp.Call(1, "echo", """{"message":"kept"}"""), first, token: TestCredentials.Admin);

        Assert.That(firstAfter.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the idle session was not reclaimed while a warm sandbox could go");
        Assert.That(Pool.ReadyCount(y.Spec), Is.Zero, "server y's warm sandbox made the room");
        Assert.That(Pool.TenantCount("warmish"), Is.EqualTo(2));
        await DeleteAsync(http, first, second);
    }

    private static WarmPool Pool => TestHost.Services.GetRequiredService<WarmPool>();

    private static async Task DeleteAsync(McpHttp http, params string[] sessions)
    {
        foreach (var session in sessions)
        {
            (await http.SendAsync(http.Request(HttpMethod.Delete, token: TestCredentials.Admin, session: session))).Dispose();
        }
    }

    internal static async Task<int> ContainersAsync(string sandboxId) =>
        (await TestHost.Docker.Containers.ListContainersAsync(new Docker.DotNet.Models.ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"smcp.session={sandboxId}"] = true } },
        })).Count;
}
