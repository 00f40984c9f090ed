using System.Net;
using System.Text.Json.Nodes;
using Smcp.Proxy.Tests.Support;
using Smcp.Proxy.Tests.Transport;

namespace Smcp.Proxy.Tests.Sessions;

/// <summary>Streamable HTTP against a real conformance server in a runc sandbox; one session shared where tests do not disturb it.</summary>
public sealed class SessionTests
{
    private static McpHttp Http => TestHost.Http();

    private string _session = null!;

    [OneTimeSetUp]
    public async Task InitializeAsync() => _session = await Http.InitializeAsync();

    [OneTimeTearDown]
    public async Task EndAsync() => (await Http.SendAsync(Http.Request(HttpMethod.Delete, session: _session))).Dispose();

    [Test]
    public void Initialize_without_session_returns_a_visible_ascii_session_id()
    {
        Assert.That(_session.Length, Is.GreaterThanOrEqualTo(32));
        Assert.That(_session.All(c => c is >= '\x21' and <= '\x7E'), Is.True, _session);
    }

    [Test]
    public async Task Notification_returns_202_with_no_body()
    {
        using var response = await Http.PostAsync("""{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}""", _session);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(""));
    }

    [Test]
    public async Task Request_answered_alone_returns_application_json()
    {
        using var response = await Http.PostAsync(McpHttp.Call("json-1", "echo", """{"message":"hi"}"""), _session);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
        Assert.That(body["id"]!.GetValue<string>(), Is.EqualTo("json-1"));
        Assert.That(body["result"]!["content"]![0]!["text"]!.GetValue<string>(), Is.EqualTo("Echo: hi"));
    }

    [Test]
    public async Task Request_with_progress_returns_an_event_stream_ending_with_the_answer()
    {
        using var response = await Http.PostAsync(McpHttp.Call(7, "test_tool_with_progress", progressToken: "p-7"), _session, streaming: true);
        var events = await McpHttp.ReadEventsAsync(response);
        var messages = events.Where(e => e.Data.Length > 0).Select(e => e.Json).ToList();

        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/event-stream"));
        Assert.That(events[0].Data, Is.EqualTo(""), "2025-11-25 streams open with a priming event");
        Assert.That(events[0].Retry, Is.EqualTo(500));
        Assert.That(events.All(e => e.Id is not null), Is.True, "every event has an id");
        Assert.That(messages.Select(m => m["method"]?.GetValue<string>()),
            Is.EqualTo(new string?[] { "notifications/progress", "notifications/progress", "notifications/progress", null }));
        Assert.That(messages[^1]["id"]!.GetValue<int>(), Is.EqualTo(7));
    }

    [Test]
    public async Task Batch_is_answered_for_2025_03_26()
    {
        // Batches belong to 2025-03-26 only: the session must have negotiated it, not just send the header.
        var session = await Http.InitializeAsync(version: "2025-03-26");
        var batch = "[" + McpHttp.Call(101, "echo", """{"message":"a"}""") + "," + McpHttp.Call(102, "echo", """{"message":"b"}""") + "]";
        using var response = await Http.PostAsync(batch, session, version: "2025-03-26");
        var answers = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(answers.Select(a => a!["id"]!.GetValue<int>()).Order(), Is.EqualTo(new[] { 101, 102 }));
        (await Http.SendAsync(Http.Request(HttpMethod.Delete, session: session, version: "2025-03-26"))).Dispose();
    }

    [Test]
    public async Task Batch_is_refused_with_400_for_2025_06_18()
    {
        var batch = "[" + McpHttp.Call(103, "echo", """{"message":"a"}""") + "]";
        using var response = await Http.PostAsync(batch, _session, version: "2025-06-18");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Batch_without_the_version_header_is_refused_when_the_session_negotiated_a_later_version()
    {
        var batch = "[" + McpHttp.Call(104, "echo", """{"message":"a"}""") + "]";
        using var response = await Http.PostAsync(batch, _session, version: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Session_of_another_principal_returns_404()
    {
        using var response = await Http.PostAsync(McpHttp.Call(1, "echo", """{"message":"x"}"""), _session, token: TestCredentials.AcmeOtherUser);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Session_presented_at_another_servers_url_returns_404()
    {
        var other = TestHost.Http("acme", "every");
        using var response = await other.PostAsync(McpHttp.Call(1, "echo", """{"message":"x"}"""), _session);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task Allowed_origin_is_let_in()
    {
        using var request = Http.Request(HttpMethod.Post, McpHttp.Call("origin", "echo", """{"message":"o"}"""), session: _session, version: "2025-11-25");
        request.Headers.Add("Origin", TestHost.AllowedOrigin);
        using var response = await Http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Request_without_protocol_version_is_taken_as_2025_03_26()
    {
        using var response = await Http.PostAsync(McpHttp.Call("noversion", "echo", """{"message":"v"}"""), _session, version: null);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_stream_its_client_does_not_read_holds_up_no_other_answer_of_the_session()
    {
        // The session's reader writes answers inline; a response whose client stops reading must park
        // only its own writer. 400 notifications of 256 KiB (100 MiB, more than loopback TCP buffers
        // take here: up to 32 MiB received + 4 MiB sent), 1 ms apart so the stream's writer keeps up
        // until the unread connection is full: it is then stuck in a flush.
        var session = await Http.InitializeAsync();
        using var flood = await Http.PostAsync(McpHttp.Call("flood", "flood", """{"count":400,"size":262144,"pauseMs":1}"""), session, streaming: true);
        Assert.That(flood.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/event-stream"));
        await Task.Delay(TimeSpan.FromSeconds(3));

        var answered = Http.PostAsync(McpHttp.Call("after-flood", "echo", """{"message":"still here"}"""), session);
        var first = await Task.WhenAny(answered, Task.Delay(TimeSpan.FromSeconds(30)));

        Assert.That(first, Is.SameAs(answered), "the answer did not come while another stream of the session was stuck");
        using var response = await answered;
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(body["result"]!["content"]![0]!["text"]!.GetValue<string>(), Is.EqualTo("Echo: still here"));
        (await Http.SendAsync(Http.Request(HttpMethod.Delete, session: session, version: "2025-11-25"))).Dispose();
    }

    [Test]
    public async Task Duplicate_in_flight_id_gets_a_json_rpc_error()
    {
        var slow = Http.PostAsync(McpHttp.Call("dup", "sleep", """{"ms":1500}"""), _session);
        await Task.Delay(300);
        using var duplicate = await Http.PostAsync(McpHttp.Call("dup", "echo", """{"message":"d"}"""), _session);
        var error = await AdmissionTests.ErrorAsync(duplicate);
        using var first = await slow;
        var firstBody = JsonNode.Parse(await first.Content.ReadAsStringAsync())!;

        Assert.That(error["code"]!.GetValue<int>(), Is.EqualTo(-32600));
        Assert.That(firstBody["result"]!["content"]![0]!["text"]!.GetValue<string>(), Is.EqualTo("slept 1500"));
    }

    [Test]
    public async Task Cancelled_request_is_answered_with_an_error_and_the_cancel_reaches_the_server()
    {
        var slow = Http.PostAsync(McpHttp.Call("to-cancel", "sleep", """{"ms":60000}"""), _session);
        await Task.Delay(300);
        using var cancel = await Http.PostAsync("""{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"to-cancel"}}""", _session);
        using var answered = await slow.WaitAsync(TimeSpan.FromSeconds(10));
        var error = await AdmissionTests.ErrorAsync(answered);

        Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        Assert.That(error["code"]!.GetValue<int>(), Is.EqualTo(-32800));
    }

    [Test]
    public async Task Second_get_stream_returns_409()
    {
        using var first = await Http.SendAsync(Http.Request(HttpMethod.Get, session: _session, version: "2025-11-25", accept: "text/event-stream"), streaming: true);
        using var second = await Http.SendAsync(Http.Request(HttpMethod.Get, session: _session, version: "2025-11-25", accept: "text/event-stream"), streaming: true);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(first.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/event-stream"));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task Requests_beyond_the_in_flight_limit_get_429_and_the_others_are_answered()
    {
        var session = await Http.InitializeAsync();
        var calls = Enumerable.Range(0, TestHost.InFlightLimit + 4)
            .Select(i => Http.PostAsync(McpHttp.Call(500 + i, "sleep", """{"ms":1500}"""), session))
            .ToList();
        var responses = await Task.WhenAll(calls);
        var statuses = responses.Select(r => r.StatusCode).ToList();

        Assert.That(statuses.Count(s => s == HttpStatusCode.TooManyRequests), Is.GreaterThanOrEqualTo(4), string.Join(", ", statuses));
        Assert.That(statuses.Count(s => s == HttpStatusCode.OK), Is.LessThanOrEqualTo(TestHost.InFlightLimit));
        Assert.That(responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests).Headers.RetryAfter, Is.Not.Null);
        foreach (var response in responses)
        {
            response.Dispose();
        }

        (await Http.SendAsync(Http.Request(HttpMethod.Delete, session: session))).Dispose();
    }

    [Test]
    public async Task Resuming_a_stream_that_is_no_longer_kept_returns_410()
    {
        using var resume = Http.Request(HttpMethod.Get, session: _session, version: "2025-11-25", accept: "text/event-stream");
        resume.Headers.Add("Last-Event-ID", "999999_1");
        using var response = await Http.SendAsync(resume);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Gone));
    }

    [Test]
    public async Task Stream_cut_before_its_answer_resumes_by_get_with_last_event_id_without_loss_or_duplicates()
    {
        using var response = await Http.PostAsync(McpHttp.Call(9, "test_tool_with_progress", progressToken: "p-9"), _session, streaming: true);
        var before = await McpHttp.ReadEventsAsync(response, max: 2);
        response.Dispose();
        using var resume = Http.Request(HttpMethod.Get, session: _session, version: "2025-11-25", accept: "text/event-stream");
        resume.Headers.Add("Last-Event-ID", before[^1].Id);
        using var resumed = await Http.SendAsync(resume, streaming: true);
        var after = await McpHttp.ReadEventsAsync(resumed);
        var all = before.Concat(after).Where(e => e.Data.Length > 0).ToList();

        Assert.That(resumed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(all.Select(e => e.Json["params"]?["progress"]?.GetValue<double>()), Is.EqualTo(new double?[] { 0, 50, 100, null }));
        Assert.That(all.Select(e => e.Id).Distinct().Count(), Is.EqualTo(all.Count));
        Assert.That(all[^1].Json["id"]!.GetValue<int>(), Is.EqualTo(9));
    }

    [Test]
    public async Task Tool_call_is_audited_with_method_tool_outcome_and_bytes()
    {
        var body = McpHttp.Call("audited", "echo", """{"message":"audit me, a message no other test sends"}""");
        using var response = await Http.PostAsync(body, _session);
        var answer = await response.Content.ReadAsStringAsync();
        var audit = await AuditRowAsync(a => a.SessionId == _session && a.BytesIn == body.Length);

        Assert.That((audit.Method, audit.Target, audit.BytesOut), Is.EqualTo(("tools/call", "echo", (long)answer.Length)));

        Assert.That(audit.Outcome, Is.EqualTo("ok"));
        Assert.That(audit.Principal, Is.EqualTo("key:acme-user"));
    }

    // The audit row is queued just after the answer is handed to the stream: the client may read the answer first.
    private static async Task<Ports.McpAuditEvent> AuditRowAsync(Func<Ports.McpAuditEvent, bool> match)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var rows = TestHost.Recorder.Audit.Where(match).ToList();
            if (rows.Count > 0 || DateTime.UtcNow > deadline)
            {
                Assert.That(rows, Has.Count.EqualTo(1), "one audit row for the call");
                return rows[0];
            }

            await Task.Delay(20);
        }
    }
}
