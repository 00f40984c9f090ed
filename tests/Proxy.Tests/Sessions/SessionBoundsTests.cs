using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Smcp.Proxy.Sessions;
using Smcp.Proxy.Tests.Support;
using Smcp.Sandbox;

namespace Smcp.Proxy.Tests.Sessions;

/// <summary>
/// The byte bounds of sessions and tenants through a real proxy with small budgets, on real sandboxes: chatty
/// requests nobody reads (server-everything's long-running operation, with long progress tokens) and floods.
/// </summary>
public sealed class SessionBoundsTests
{
    private const long StreamShare = 16 * 1024;
    private const long SessionBudget = 64 * 1024;
    private const long TenantBudget = 96 * 1024;

    private WebApplication _app = null!;
    private Uri _address = null!;

    private SessionStore Store => _app.Services.GetRequiredService<SessionStore>();

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        foreach (var tenant in new[] { "acme", "other" })
        {
            TestHost.Catalog.Add(tenant, "bounds", TestCatalog.For(TestHost.Everything, tenant, "bounds", SandboxRuntimes.Runc, warm: 0));
            TestHost.Catalog.Add(tenant, "bounds-conf", TestCatalog.For(TestHost.Conformance, tenant, "bounds-conf", SandboxRuntimes.Runc, warm: 0));
        }

        var builder = TestHost.NewBuilder("smcp-proxy-tests-bounds" + TestHost.InstanceSuffix, o =>
        {
            o.ReplayBufferBytes = StreamShare;
            o.SessionReplayBudgetBytes = SessionBudget;
            o.TenantReplayBudgetBytes = TenantBudget;
            o.ReplayBudgetBytes = 192 * 1024;
            o.MaxInFlightRequestsPerSession = 32;
            o.MaxRequestDuration = TimeSpan.FromMinutes(2);
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapSmcpProxy();
        await _app.StartAsync();
        _address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Test]
    public async Task Never_answered_chatty_requests_do_not_stop_the_sessions_other_answers_and_the_session_stays_within_its_budget()
    {
        var http = new McpHttp(_address, "acme", "bounds");
        var id = await http.InitializeAsync();
        var session = Store.Find(id)!;
        using var sampling = new CancellationTokenSource();
        var peak = SamplePeakAsync(() => session.BufferedBytes, sampling.Token);
        var chatty = StartChatty(http, id, "slow", 6);
        try
        {
            await WaitUntilAsync(() => session.BufferedBytes >= SessionBudget / 2, "the chatty requests fill half the session");
            var answers = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                using var response = await http.PostAsync(McpHttp.Call($"echo-{i}", "echo", $$"""{"message":"still here {{i}}"}"""), id);
                answers.Add((await AnswerAsync(response))["result"]!["content"]![0]!["text"]!.GetValue<string>());
            }

            await Task.Delay(500);
            await sampling.CancelAsync();

            // Stream 1 was the initialize's POST; the chatty requests have the next six.
            var streams = Enumerable.Range(2, 6).Select(n => session.FindStream(n)).ToList();
            TestContext.Out.WriteLine($"peak {await peak} bytes for a session budget of {SessionBudget}; streams (kept/dropped): "
                + string.Join(", ", streams.Select(s => $"{s?.BufferedBytes}/{s?.Dropped}")));
            Assert.That(answers, Is.EqualTo(new[] { "Echo: still here 0", "Echo: still here 1", "Echo: still here 2" }));
            Assert.That(await peak, Is.LessThanOrEqualTo(SessionBudget), "the session's bytes, sampled every few ms, never passed its budget");
            Assert.That(streams.All(s => s is { IsCompleted: false, Dropped: > 0, BufferedBytes: <= StreamShare }), Is.True,
                "every chatty stream is in flight and dropped notifications beyond its share or the budget: "
                + string.Join(", ", streams.Select(s => $"{s?.BufferedBytes}/{s?.Dropped}")));
        }
        finally
        {
            await EndAsync(http, id, chatty);
        }
    }

    [Test]
    public async Task A_flooding_tenants_sessions_never_trim_another_tenants_get_stream()
    {
        var quietHttp = new McpHttp(_address, "other", "bounds-conf");
        var quietId = await quietHttp.InitializeAsync(token: TestCredentials.OtherTenantUser);
        var quiet = Store.Find(quietId)!;
        var sleeping = quietHttp.PostAsync(McpHttp.Call("sleeper", "sleep", """{"ms":90000}"""), quietId, token: TestCredentials.OtherTenantUser, streaming: true);
        var floodHttp = new McpHttp(_address, "acme", "bounds");
        var floods = new List<(string Id, List<Task<HttpResponseMessage>> Chatty)>();
        try
        {
            await WaitUntilAsync(() => quiet.InFlight == 1, "the sleep is in flight");

            // With two requests in flight a log notification belongs to neither: it goes to the GET stream, which nobody reads yet.
            await FloodAsync(quietHttp, quietId, "before", 8);
            for (var i = 0; i < 2; i++)
            {
                var id = await floodHttp.InitializeAsync();
                floods.Add((id, StartChatty(floodHttp, id, $"flood{i}", 8)));
            }

            var flooding = floods.Select(f => Store.Find(f.Id)!).ToList();
            await WaitUntilAsync(() => flooding.Sum(s => s.BufferedBytes) >= TenantBudget * 2 / 3, "the flooding tenant fills its budget");
            await Task.Delay(500);
            await FloodAsync(quietHttp, quietId, "after", 1);

            var kept = await quiet.GetStream.ReadAfterAsync(0, CancellationToken.None);
            Assert.That((kept.Gap, kept.Events.Count, quiet.GetStream.Dropped), Is.EqualTo((false, 9, 0L)),
                "every log the quiet tenant's server sent is still kept for its GET stream");
            Assert.That(flooding.Sum(s => s.BufferedBytes), Is.LessThanOrEqualTo(TenantBudget));
            TestContext.Out.WriteLine($"flooding tenant keeps {flooding.Sum(s => s.BufferedBytes)} bytes of {TenantBudget}; the quiet session {quiet.BufferedBytes}");

            using var get = await quietHttp.SendAsync(quietHttp.Request(HttpMethod.Get, token: TestCredentials.OtherTenantUser, session: quietId,
                version: "2025-11-25", accept: "text/event-stream"), streaming: true);
            var events = await McpHttp.ReadEventsAsync(get, max: 10, timeout: TimeSpan.FromSeconds(10));
            Assert.That(events.Where(e => e.Data.Length > 0).Select(e => e.Json["method"]!.GetValue<string>()),
                Is.EqualTo(Enumerable.Repeat("notifications/message", 9)), "and a GET delivers them all");
        }
        finally
        {
            foreach (var (id, chatty) in floods)
            {
                await EndAsync(floodHttp, id, chatty);
            }

            await EndAsync(quietHttp, quietId, [sleeping], TestCredentials.OtherTenantUser);
        }
    }

    [Test]
    public async Task A_get_stream_nobody_read_loses_only_its_oldest_events_and_a_late_reader_gets_the_rest()
    {
        var http = new McpHttp(_address, "other", "bounds-conf");
        var id = await http.InitializeAsync(token: TestCredentials.OtherTenantUser);
        var session = Store.Find(id)!;
        var sleeping = http.PostAsync(McpHttp.Call("sleeper", "sleep", """{"ms":90000}"""), id, token: TestCredentials.OtherTenantUser, streaming: true);
        try
        {
            await WaitUntilAsync(() => session.InFlight == 1, "the sleep is in flight");
            await FloodAsync(http, id, "overflow", 40);
            var kept = (int)(session.GetStream.LastSequence - session.GetStream.Dropped);

            using var get = await http.SendAsync(http.Request(HttpMethod.Get, token: TestCredentials.OtherTenantUser, session: id,
                version: "2025-11-25", accept: "text/event-stream"), streaming: true);
            var events = (await McpHttp.ReadEventsAsync(get, max: kept + 1, timeout: TimeSpan.FromSeconds(10))).Where(e => e.Data.Length > 0).ToList();

            Assert.That(session.GetStream.BufferedBytes, Is.LessThanOrEqualTo(StreamShare));
            Assert.That(session.GetStream.LastSequence, Is.EqualTo(40));
            Assert.That(kept, Is.InRange(1, 39), "40 logs of 1 KB overflow a 16 KiB share");
            Assert.That(events.Select(e => e.Id), Is.EqualTo(Enumerable.Range(41 - kept, kept).Select(n => $"0_{n}")), "the newest events, in order");
        }
        finally
        {
            await EndAsync(http, id, [sleeping], TestCredentials.OtherTenantUser);
        }
    }

    [Test]
    public async Task An_answer_larger_than_the_session_budget_becomes_a_32603_error_and_the_session_goes_on()
    {
        var http = new McpHttp(_address, "acme", "bounds-conf");
        var id = await http.InitializeAsync();
        var session = Store.Find(id)!;
        try
        {
            using var large = await http.PostAsync(McpHttp.Call("large", "echo", $$"""{"message":"{{new string('x', (int)SessionBudget)}}"}"""), id);
            var error = (await AnswerAsync(large))["error"]!;
            using var small = await http.PostAsync(McpHttp.Call("small", "echo", """{"message":"after"}"""), id);

            Assert.That(error["code"]!.GetValue<int>(), Is.EqualTo(-32603));
            Assert.That(error["message"]!.GetValue<string>(), Does.StartWith("Answer too large for the session's buffer"));
            Assert.That((await AnswerAsync(small))["result"]!["content"]![0]!["text"]!.GetValue<string>(), Is.EqualTo("Echo: after"));
            Assert.That(session.BufferedBytes, Is.LessThanOrEqualTo(SessionBudget));
            TestContext.Out.WriteLine($"after a {SessionBudget}-byte answer: the session keeps {session.BufferedBytes} bytes");
        }
        finally
        {
            await EndAsync(http, id, []);
        }
    }

    [Test]
    public async Task A_response_to_an_id_nobody_waits_for_is_dropped_and_counted()
    {
        var http = TestHost.Http();
        var id = await http.InitializeAsync(version: "2025-03-26");
        var session = TestHost.Services.GetRequiredService<SessionStore>().Find(id)!;

        // The cancel comes first: the proxy answers id 9 as cancelled before the echo reaches the server, whose answer then has nobody.
        var batch = """[{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":9}},""" + McpHttp.Call(9, "echo", """{"message":"late"}""") + "]";
        using var response = await http.PostAsync(batch, id, version: "2025-03-26");
        var answers = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        var kept = session.BufferedBytes;
        await WaitUntilAsync(() => session.UnroutedResponses == 1, "the server's late answer arrived");

        Assert.That(answers.Select(a => a!["error"]!["code"]!.GetValue<int>()), Is.EqualTo(new[] { -32800 }));
        Assert.That(session.BufferedBytes, Is.EqualTo(kept), "the dropped answer is kept nowhere");
        (await http.SendAsync(http.Request(HttpMethod.Delete, session: id, version: "2025-03-26"))).Dispose();
    }

    /// <summary>
    /// Starts <paramref name="count"/> long-running operations whose progress (1 KB each, about 100 a second) nobody reads.
    /// Not awaited: a POST whose notifications were all refused sends its headers only with its answer.
    /// </summary>
    private static List<Task<HttpResponseMessage>> StartChatty(McpHttp http, string session, string prefix, int count, string token = TestCredentials.AcmeUser) =>
        [.. Enumerable.Range(0, count).Select(i => http.PostAsync(
            McpHttp.Call($"{prefix}-{i}", "trigger-long-running-operation", """{"duration":300,"steps":30000}""", progressToken: $"{prefix}-{i}-" + new string('x', 1000)),
            session, token: token, streaming: true))];

    private static async Task FloodAsync(McpHttp http, string session, string id, int count)
    {
        using var response = await http.PostAsync(McpHttp.Call(id, "flood", $$"""{"count":{{count}},"size":1000,"pauseMs":0}"""), session,
            token: TestCredentials.OtherTenantUser);
        Assert.That((await AnswerAsync(response))["result"]!["content"]![0]!["text"]!.GetValue<string>(), Is.EqualTo($"flooded {count}"));
    }

    /// <summary>The JSON-RPC answer of a POST, whether it came as JSON or as the last event of a stream.</summary>
    private static async Task<JsonObject> AnswerAsync(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        if (response.Content.Headers.ContentType!.MediaType == "application/json")
        {
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        }

        var events = await McpHttp.ReadEventsAsync(response);
        return events.Where(e => e.Data.Length > 0).Select(e => e.Json).Last(m => m.ContainsKey("id"));
    }

    private static async Task<long> SamplePeakAsync(Func<long> bytes, CancellationToken cancellationToken)
    {
        long peak = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            peak = Math.Max(peak, bytes());
            await Task.Delay(2, CancellationToken.None);
        }

        return peak;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("Timed out waiting until " + what + ".");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Ends a session; its requests in flight are answered with the session's end, and their responses let go.</summary>
    private static async Task EndAsync(McpHttp http, string session, List<Task<HttpResponseMessage>> inFlight, string token = TestCredentials.AcmeUser)
    {
        (await http.SendAsync(http.Request(HttpMethod.Delete, token: token, session: session, version: "2025-11-25"))).Dispose();
        foreach (var response in inFlight)
        {
            (await response.WaitAsync(TimeSpan.FromSeconds(30))).Dispose();
        }
    }
}
