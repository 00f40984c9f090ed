using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Api;

/// <summary>
/// <c>GET /v1/tenants/{t}/servers/{s}/logs</c> on the whole path: real sandboxes of the hostile test image write to stderr
/// (argument <c>noisy</c>: its secret raw and base64, ANSI and OSC escape sequences, a bell, invalid UTF-8, a line per
/// tools/call; <c>stderr-lines N</c>: N numbered lines), a live session's log and the same after it ended, an overflowing
/// ring, the bound on ended sessions kept, and every refusal.
/// </summary>
public sealed class ServerLogsThroughHostTests
{
    private const string Secret = "s3cr3t/value+with=signs&more";

    private const int StderrBufferBytes = 2048;

    /// <summary>Room for one ended session of <c>spill</c> (its full ring) beside the small logs of the other tests, not for two.</summary>
    private const int TenantEndedLogBytes = 3000;

    private SmcpServerFixture _smcp = null!;
    private HttpClient _admin = null!;
    private HttpClient _tenantAdmin = null!;
    private string _userKey = null!;
    private string _readerKey = null!;
    private string _otherAdminKey = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _smcp = await SmcpServerFixture.StartAsync("serverlogs", """
            tenants:
              - id: acme
              - id: other
            """,
            $"--Sandbox:StderrBufferBytes={StderrBufferBytes}", "--Proxy:EndedSessionLogsPerServer=2",
            $"--Proxy:TenantEndedLogBytes={TenantEndedLogBytes}");
        _admin = _smcp.Client(SmcpServerFixture.AdminKey);
        var image = await SmcpServerFixture.UploadAsync(_admin, "smcp-test/hostile:test");
        foreach (var (server, args) in new[] { ("noisy", new[] { "noisy" }), ("spill", ["stderr-lines", "500"]), ("quiet", []), ("broken", ["no-such-mode"]) })
        {
            var deploy = await _admin.PutAsJsonAsync($"/v1/tenants/acme/servers/{server}", new { image, args });
            Assert.That(deploy.StatusCode, Is.EqualTo(HttpStatusCode.OK), await deploy.Content.ReadAsStringAsync());
        }

        var secret = await _admin.PutAsJsonAsync("/v1/tenants/acme/servers/noisy/secrets/LEAK_SECRET", new { value = Secret });
        Assert.That(secret.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        _tenantAdmin = _smcp.Client(await KeyAsync("acme", "tenant-admin"));
        _userKey = await KeyAsync("acme", "tenant-user");
        _readerKey = await KeyAsync("acme", "read-only");
        _otherAdminKey = await KeyAsync("other", "tenant-admin");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _admin.Dispose();
        _tenantAdmin.Dispose();
        await _smcp.DisposeAsync();
    }

    [Test]
    public async Task A_live_sessions_stderr_is_shown_and_kept_after_the_session_ends()
    {
        var session = await OpenAsync("noisy");
        using (var mcp = _smcp.Client(_userKey))
        {
            using var called = await SmcpServerFixture.PostMcpAsync(mcp, session, """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hi"}}}""", "/t/acme/noisy/mcp");
            Assert.That(called.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var live = await LogUntilAsync("noisy", session, log => log["text"]!.GetValue<string>().Contains("hostile: tools/call \"echo\"\n", StringComparison.Ordinal));
        Assert.That(live["endedAt"], Is.Null);
        Assert.That(live.AsObject().ContainsKey("endedAt"), Is.True, "endedAt is written as null while the session is live");
        Assert.That(live["text"]!.GetValue<string>(), Does.StartWith("hostile: noisy start\n"));
        Assert.That(live["droppedBytes"]!.GetValue<long>(), Is.EqualTo(0));

        var ended = await _admin.DeleteAsync($"/v1/tenants/acme/sessions/{session}");
        Assert.That(ended.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        var after = await LogAsync("noisy", session);
        Assert.That(after["endedAt"]!.GetValue<DateTimeOffset>(), Is.GreaterThanOrEqualTo(live["startedAt"]!.GetValue<DateTimeOffset>()));
        Assert.That(after["startedAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(live["startedAt"]!.GetValue<DateTimeOffset>()));
        Assert.That(after["text"]!.GetValue<string>(), Is.EqualTo(live["text"]!.GetValue<string>()));
        Assert.That(after["totalBytes"]!.GetValue<long>(), Is.EqualTo(live["totalBytes"]!.GetValue<long>()));
    }

    [Test]
    public async Task The_servers_secret_is_redacted_from_its_logs_raw_and_base64()
    {
        var session = await OpenAsync("noisy");

        var log = await LogUntilAsync("noisy", session, l => l["text"]!.GetValue<string>().Contains("utf-8\n", StringComparison.Ordinal));

        var text = log["text"]!.GetValue<string>();
        Assert.That(text, Does.Contain("hostile: secret [redacted:secret-value] base64 [redacted:secret-base64]\n"));
        var body = await _tenantAdmin.GetStringAsync($"/v1/tenants/acme/servers/noisy/logs?session={session}");
        Assert.That(body, Does.Not.Contain("s3cr3t").And.Not.Contain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret))));
    }

    [Test]
    public async Task Escape_sequences_and_invalid_utf8_reach_the_reader_as_visible_text()
    {
        var session = await OpenAsync("noisy");

        var log = await LogUntilAsync("noisy", session, l => l["text"]!.GetValue<string>().Contains("utf-8\n", StringComparison.Ordinal));

        var text = log["text"]!.GetValue<string>();
        Assert.That(text, Does.Contain("hostile: U+001B[31mredU+001B[0m U+001B]0;ownedU+0007 bell\n"));
        Assert.That(text, Does.Contain("hostile: invalid \uFFFD\uFFFD utf-8\n"));
        Assert.That(text.Where(c => char.IsControl(c) && c is not ('\n' or '\t')), Is.Empty, "no control character but line feed and tab");
    }

    [Test]
    public async Task A_ring_that_overflowed_reports_the_bytes_it_dropped_and_keeps_the_newest_whole_lines()
    {
        var session = await OpenAsync("spill");
        var total = Enumerable.Range(1, 500).Sum(n => Encoding.UTF8.GetByteCount($"hostile: stderr line {n}\n"));

        var log = await LogUntilAsync("spill", session, l => l["totalBytes"]!.GetValue<long>() == total);

        var text = log["text"]!.GetValue<string>();
        Assert.That(text, Does.StartWith("hostile: stderr line ").And.EndWith("hostile: stderr line 500\n"));
        Assert.That(Encoding.UTF8.GetByteCount(text), Is.LessThanOrEqualTo(StderrBufferBytes));
        Assert.That(log["droppedBytes"]!.GetValue<long>(), Is.EqualTo(total - Encoding.UTF8.GetByteCount(text)));
        Assert.That(log["droppedBytes"]!.GetValue<long>(), Is.GreaterThanOrEqualTo(total - StderrBufferBytes));
    }

    [Test]
    public async Task Only_the_newest_ended_sessions_per_server_are_kept_and_they_come_newest_first()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var session = await OpenAsync("quiet");
            ids.Add(session);
            Assert.That((await _admin.DeleteAsync($"/v1/tenants/acme/sessions/{session}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        var all = await _tenantAdmin.GetFromJsonAsync<JsonObject>("/v1/tenants/acme/servers/quiet/logs");

        Assert.That(all!["server"]!.GetValue<string>(), Is.EqualTo("quiet"));
        var kept = all["sessions"]!.AsArray().Select(s => s!["session"]!.GetValue<string>()).ToList();
        Assert.That(kept, Is.EqualTo(new[] { ids[2], ids[1] }), "EndedSessionLogsPerServer=2, newest first");
        var gone = await _tenantAdmin.GetAsync($"/v1/tenants/acme/servers/quiet/logs?session={ids[0]}");
        await AssertProblemAsync(gone, HttpStatusCode.NotFound);
    }

    [Test]
    public async Task The_tenants_byte_cap_lets_the_oldest_ended_session_go_although_the_count_would_keep_it()
    {
        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var session = await OpenAsync("spill");
            ids.Add(session);
            await LogUntilAsync("spill", session, l => l["text"]!.GetValue<string>().EndsWith("line 500\n", StringComparison.Ordinal));
            Assert.That((await _admin.DeleteAsync($"/v1/tenants/acme/sessions/{session}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }

        var all = await _tenantAdmin.GetFromJsonAsync<JsonObject>("/v1/tenants/acme/servers/spill/logs");

        var ended = all!["sessions"]!.AsArray().Where(s => s!["endedAt"] is not null).Select(s => s!["session"]!.GetValue<string>());
        Assert.That(ended, Does.Contain(ids[1]).And.No.Contain(ids[0]));
    }

    [Test]
    public async Task A_server_that_exits_at_start_leaves_its_reason_in_the_log_although_no_session_opened()
    {
        using (var mcp = _smcp.Client(_userKey))
        {
            using var opened = await SmcpServerFixture.PostMcpAsync(mcp, null, SmcpServerFixture.Initialize, "/t/acme/broken/mcp");
            Assert.That(await opened.Content.ReadAsStringAsync(), Does.Contain("exited with code 2"));
        }

        var all = await _tenantAdmin.GetFromJsonAsync<JsonObject>("/v1/tenants/acme/servers/broken/logs");

        var newest = all!["sessions"]!.AsArray()[0]!;
        Assert.That(newest["endedAt"], Is.Not.Null);
        Assert.That(newest["text"]!.GetValue<string>(), Does.StartWith("hostile: unknown argument 'no-such-mode'"));
    }

    [Test]
    public async Task Refusals_are_problem_details()
    {
        const string path = "/v1/tenants/acme/servers/noisy/logs";
        using var reader = _smcp.Client(_readerKey);
        using var user = _smcp.Client(_userKey);
        using var otherTenant = _smcp.Client(_otherAdminKey);
        using var anonymous = _smcp.Client();

        await AssertProblemAsync(await reader.GetAsync(path), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await user.GetAsync(path), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await otherTenant.GetAsync(path), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await anonymous.GetAsync(path), HttpStatusCode.Unauthorized);
        await AssertProblemAsync(await _tenantAdmin.GetAsync("/v1/tenants/acme/servers/nosuch/logs"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await _tenantAdmin.GetAsync(path + "?session=nosuch"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await _tenantAdmin.GetAsync("/v1/tenants/acme/servers/Bad_Name/logs"), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await otherTenant.GetAsync("/v1/tenants/other/servers/noisy/logs"), HttpStatusCode.NotFound);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(JsonNode.Parse(body)!["detail"]!.GetValue<string>(), Is.Not.Empty);
    }

    private async Task<string> OpenAsync(string server)
    {
        using var mcp = _smcp.Client(_userKey);
        using var opened = await SmcpServerFixture.PostMcpAsync(mcp, null, SmcpServerFixture.Initialize, $"/t/acme/{server}/mcp");
        Assert.That(opened.Headers.Contains("Mcp-Session-Id"), Is.True, await opened.Content.ReadAsStringAsync());
        return opened.Headers.GetValues("Mcp-Session-Id").Single();
    }

    private async Task<JsonNode> LogAsync(string server, string session)
    {
        var answer = await _tenantAdmin.GetFromJsonAsync<JsonObject>($"/v1/tenants/acme/servers/{server}/logs?session={session}");
        Assert.That(answer!["server"]!.GetValue<string>(), Is.EqualTo(server));
        var sessions = answer["sessions"]!.AsArray();
        Assert.That(sessions, Has.Count.EqualTo(1));
        Assert.That(sessions[0]!["session"]!.GetValue<string>(), Is.EqualTo(session));
        return sessions[0]!;
    }

    /// <summary>The engine forwards stderr beside stdout: what the server wrote before an answer may land a moment after it.</summary>
    private async Task<JsonNode> LogUntilAsync(string server, string session, Func<JsonNode, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var log = await LogAsync(server, session);
            if (done(log) || DateTime.UtcNow > deadline)
            {
                Assert.That(done(log), Is.True, log.ToJsonString());
                return log;
            }

            await Task.Delay(100);
        }
    }

    private async Task<string> KeyAsync(string tenant, string role)
    {
        var created = await _admin.PostAsJsonAsync($"/v1/tenants/{tenant}/keys", new { name = role, role });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        return (await created.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
    }
}
