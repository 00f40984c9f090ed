using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Telemetry;

/// <summary><c>/metrics</c> of a real host after real MCP traffic to a real sandbox: linted by promtool, values that moved, and who may read it.</summary>
public sealed class MetricsEndpointTests
{
    /// <summary>A tenant no other fixture uses: every host in this process shares the meters' listeners, so the series are told apart by tenant.</summary>
    private const string Tenant = "metered";

    private const string Mcp = $"/t/{Tenant}/notes/mcp";

    private SmcpServerFixture _smcp = null!;
    private HttpClient _admin = null!;
    private string _key = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _smcp = await SmcpServerFixture.StartAsync("metrics", $$"""
            tenants:
              - id: {{Tenant}}
                quotas: { warmPoolSize: 1, maxSessions: 3 }
            """);
        _admin = _smcp.Client(SmcpServerFixture.AdminKey);
        _key = await SmcpServerFixture.DeployAsync(_admin, tenant: Tenant);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _admin.Dispose();
        await _smcp.DisposeAsync();
    }

    [Test]
    public async Task Scrape_after_real_traffic_passes_promtool_and_shows_sessions_requests_sandboxes_and_audit()
    {
        var tenant = ("smcp_tenant", Tenant);
        var (callsOk, initializeOk) = (("mcp_method_name", "tools/call"), ("mcp_method_name", "initialize"));
        var ok = ("smcp_outcome", "ok");
        var before = await ScrapeAsync();
        using var mcp = _smcp.Client(_key);
        var session = await OpenSessionAsync(mcp);
        for (var i = 1; i <= 3; i++)
        {
            var call = await SmcpServerFixture.PostMcpAsync(mcp, session, Call(i, "tools/call", new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["message"] = $"m{i}" } }), Mcp);
            Assert.That(await call.Content.ReadAsStringAsync(), Does.Contain($"Echo: m{i}"));
        }

        using (var anonymous = _smcp.Client())
        {
            Assert.That((await SmcpServerFixture.PostMcpAsync(anonymous, null, SmcpServerFixture.Initialize, Mcp)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        // Audit rows land asynchronously: the scrape is taken once they have (initialize, three calls, the session row's own).
        var written = before.Value("smcp_audit_rows_written_total") ?? 0;
        var open = await ScrapeUntilAsync(s => s.Value("smcp_audit_rows_written_total") >= written + 4);

        var (exitCode, output) = await PromtoolAsync(open.Text);
        Assert.That(exitCode, Is.EqualTo(0), $"promtool check metrics:\n{output}");
        var types = open.Types();
        Assert.That(types, Does.ContainKey("smcp_mcp_request_duration_seconds").WithValue("histogram"));
        Assert.That(types, Does.ContainKey("smcp_mcp_sessions_active").WithValue("gauge"));
        Assert.That(types, Does.ContainKey("smcp_sandbox_pooled").WithValue("gauge"));
        Assert.That(types, Does.ContainKey("smcp_sandbox_active").WithValue("gauge"));
        Assert.That(types, Does.ContainKey("smcp_sandbox_start_duration_seconds").WithValue("histogram"));
        Assert.That(types, Does.ContainKey("smcp_audit_queue_depth").WithValue("gauge"));
        Assert.That(types, Does.ContainKey("smcp_audit_queue_bytes").WithValue("gauge"));
        Assert.That(types, Does.ContainKey("smcp_audit_rows_written_total").WithValue("counter"));
        Assert.That(types, Does.ContainKey("smcp_proxy_requests_refused_total").WithValue("counter"));
        Assert.That(types, Does.ContainKey("http_server_request_duration_seconds").WithValue("histogram"));

        Assert.That(open.Value("smcp_mcp_sessions_active", tenant), Is.EqualTo(1));
        const string count = "smcp_mcp_request_duration_seconds_count";
        Assert.That(open.Value(count, tenant, callsOk, ok) - (before.Value(count, tenant, callsOk, ok) ?? 0), Is.EqualTo(3));
        Assert.That(open.Value(count, tenant, initializeOk, ok) - (before.Value(count, tenant, initializeOk, ok) ?? 0), Is.EqualTo(1));
        Assert.That(open.Value("smcp_mcp_request_duration_seconds_sum", tenant, callsOk, ok), Is.GreaterThan(0));
        Assert.That(open.Value("smcp_sandbox_active", tenant), Is.EqualTo(1), "the session's sandbox");
        Assert.That(open.Value("smcp_sandbox_start_duration_seconds_count", tenant, ("smcp_sandbox_start", "warm"), ("smcp_outcome", "ok")), Is.GreaterThanOrEqualTo(1),
            "the deploy warmed the pool, and the pool refills behind the session");
        Assert.That(open.Value("smcp_proxy_requests_refused_total", ("smcp_outcome", "unauthorized")), Is.GreaterThanOrEqualTo(1));
        Assert.That(open.Value("smcp_audit_queue_depth"), Is.Not.Null);

        // The refill behind the session lands in the pool; the session's end takes its sandbox and itself off the gauges.
        await ScrapeUntilAsync(s => s.Value("smcp_sandbox_pooled", tenant) == 1);
        await EndSessionAsync(mcp, session);
        var closed = await ScrapeUntilAsync(s => s.Value("smcp_sandbox_active", tenant) == 0);
        Assert.That(closed.Value("smcp_mcp_sessions_active", tenant) ?? 0, Is.EqualTo(0));
    }

    [Test]
    public async Task A_method_the_client_made_up_is_counted_as_other_and_never_named()
    {
        using var mcp = _smcp.Client(_key);
        var session = await OpenSessionAsync(mcp);
        const string madeUp = "x/attacker-chosen-4b1d";
        var answer = await SmcpServerFixture.PostMcpAsync(mcp, session, Call(7, madeUp, new JsonObject()), Mcp);
        Assert.That(await answer.Content.ReadAsStringAsync(), Does.Contain("\"error\""));

        var scrape = await ScrapeUntilAsync(s => s.Value("smcp_mcp_request_duration_seconds_count", ("smcp_tenant", Tenant), ("mcp_method_name", "other")) >= 1);
        Assert.That(scrape.Text, Does.Not.Contain(madeUp));
        Assert.That(scrape.Text, Does.Not.Contain(_key).And.Not.Contain(SmcpServerFixture.AdminKey).And.Not.Contain(session));
        await EndSessionAsync(mcp, session);
    }

    [Test]
    public async Task One_request_is_one_trace_from_the_proxy_to_the_sandbox_and_back() =>
        await AssertOneTraceAsync(
            new JsonObject { ["name"] = "echo", ["arguments"] = new JsonObject { ["message"] = "traced" } }, "application/json", "Echo: traced");

    [Test]
    public async Task A_request_answered_as_an_event_stream_is_one_trace_that_ends_after_its_answer() =>
        await AssertOneTraceAsync(
            new JsonObject { ["name"] = "test_tool_with_progress", ["arguments"] = new JsonObject(), ["_meta"] = new JsonObject { ["progressToken"] = "p1" } },
            "text/event-stream", "Progress tool completed");

    /// <summary>
    /// One <c>tools/call</c>: the proxy's span is under ASP.NET Core's request activity, the round trip under the proxy's span,
    /// and the proxy's span ends only once the answer is written (an SSE answer is written after the server's notifications).
    /// </summary>
    private async Task AssertOneTraceAsync(JsonObject call, string mediaType, string answer)
    {
        var stopped = new System.Collections.Concurrent.ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is Smcp.Proxy.Telemetry.ProxyTracing.SourceName or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var mcp = _smcp.Client(_key);
        var session = await OpenSessionAsync(mcp);
        using var response = await SmcpServerFixture.PostMcpAsync(mcp, session, Call(9, "tools/call", call), Mcp);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(mediaType));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(body, Does.Contain(answer));
        await EndSessionAsync(mcp, session);

        var ours = stopped.Where(a => (a.GetTagItem("mcp.session.id") as string) == session).ToList();
        var request = ours.Single(a => a.Source.Name == Smcp.Proxy.Telemetry.ProxyTracing.SourceName && a.OperationName == "tools/call");
        var roundTrip = ours.Single(a => a.OperationName == Smcp.Proxy.Telemetry.ProxyTracing.RoundTripName && (a.GetTagItem("mcp.method.name") as string) == "tools/call");
        Assert.That(roundTrip.TraceId, Is.EqualTo(request.TraceId));
        Assert.That(roundTrip.ParentSpanId, Is.EqualTo(request.SpanId));
        Assert.That(roundTrip.GetTagItem("smcp.outcome"), Is.EqualTo("ok"));
        Assert.That(request.GetTagItem("smcp.tenant"), Is.EqualTo(Tenant));
        Assert.That(request.StartTimeUtc + request.Duration, Is.GreaterThanOrEqualTo(roundTrip.StartTimeUtc + roundTrip.Duration),
            "the proxy's span ends after the round trip it holds");
        var http = stopped.Single(a => a.SpanId == request.ParentSpanId);
        Assert.That((http.Source.Name, http.TraceId), Is.EqualTo(("Microsoft.AspNetCore", request.TraceId)), "the proxy's span is under ASP.NET Core's request activity");
        Assert.That(http.StartTimeUtc + http.Duration, Is.GreaterThanOrEqualTo(request.StartTimeUtc + request.Duration), "the request activity ends after the proxy's span");
    }

    [Test]
    public async Task Another_host_in_the_process_stopping_leaves_this_hosts_series_in_place()
    {
        using var mcp = _smcp.Client(_key);
        await EndSessionAsync(mcp, await OpenSessionAsync(mcp));

        // A second host makes the same-named meters from its own factory, serves a request, and stops: its meters are disposed.
        await using (var other = await SmcpServerFixture.StartAsync("metricsother", """
            tenants:
              - id: elsewhere
            """))
        {
            using var otherAdmin = other.Client(SmcpServerFixture.AdminKey);
            Assert.That((await otherAdmin.GetAsync("/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        // A deactivated stream is exported one last time and gone from the collection after: the second scrape is the proof.
        await ScrapeAsync();
        var scrape = await ScrapeAsync();
        Assert.That(scrape.Value("smcp_mcp_request_duration_seconds_count", ("smcp_tenant", Tenant), ("mcp_method_name", "initialize"), ("smcp_outcome", "ok")), Is.GreaterThanOrEqualTo(1), scrape.Text);
        Assert.That(scrape.Types(), Does.ContainKey("http_server_request_duration_seconds").And.ContainKey("smcp_audit_rows_written_total"), scrape.Text);
        Assert.That(scrape.Text, Does.Not.Contain("elsewhere"), "the other host's series are its own");
    }

    [TestCase(null, HttpStatusCode.Unauthorized)]
    [TestCase("smcp_metered_not-a-real-secret-0000000000000000000000", HttpStatusCode.Unauthorized)]
    [TestCase("tenant", HttpStatusCode.Forbidden)]
    public async Task Metrics_refuse_every_credential_but_the_admin_key(string? credential, HttpStatusCode expected)
    {
        using var client = _smcp.Client(credential == "tenant" ? _key : credential);
        using var response = await client.GetAsync("/metrics");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(JsonNode.Parse(body)!["detail"]!.GetValue<string>(), Is.Not.Empty);
        Assert.That(body, Does.Not.Contain("smcp_").Or.Contain("smcp_…"), "no series leak into a refusal");
        Assert.That(body, Does.Not.Contain(Tenant + "\""));
    }

    private static string Call(int id, string method, JsonObject parameters) =>
        new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters }.ToJsonString();

    private static async Task<string> OpenSessionAsync(HttpClient mcp)
    {
        var initialize = await SmcpServerFixture.PostMcpAsync(mcp, null, SmcpServerFixture.Initialize, Mcp);
        Assert.That(initialize.StatusCode, Is.EqualTo(HttpStatusCode.OK), await initialize.Content.ReadAsStringAsync());
        var session = initialize.Headers.GetValues("Mcp-Session-Id").Single();
        Assert.That((await SmcpServerFixture.PostMcpAsync(mcp, session, SmcpServerFixture.Initialized, Mcp)).StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        return session;
    }

    private static async Task EndSessionAsync(HttpClient mcp, string session)
    {
        using var delete = new HttpRequestMessage(HttpMethod.Delete, Mcp);
        delete.Headers.Add("Mcp-Session-Id", session);
        Assert.That((await mcp.SendAsync(delete)).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
    }

    private async Task<PrometheusText> ScrapeAsync()
    {
        using var response = await _admin.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return new PrometheusText(text);
    }

    private async Task<PrometheusText> ScrapeUntilAsync(Func<PrometheusText, bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var scrape = await ScrapeAsync();
            if (condition(scrape))
            {
                return scrape;
            }

            Assert.That(deadline.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), $"The scrape never showed what was expected:\n{scrape.Text}");
            await Task.Delay(200);
        }
    }

    /// <summary>Runs <c>promtool check metrics</c> on the scrape; fails with how to install it when it is missing.</summary>
    private static async Task<(int ExitCode, string Output)> PromtoolAsync(string scrape)
    {
        var path = Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, "promtool")).FirstOrDefault(File.Exists);
        Assert.That(path, Is.Not.Null, "promtool is missing: `apt-get install -y prometheus` (scripts/test.sh installs it).");
        using var process = Process.Start(new ProcessStartInfo(path!, "check metrics")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(scrape);
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
