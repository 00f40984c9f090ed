using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Smcp.Orchestrator.Tests.Support;
using Smcp.Proxy.Replicas;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Orchestrator.Tests.Replicas;

/// <summary>
/// Three <c>smcp serve</c> processes on one database and engine (one <c>--role all</c>, two <c>--role proxy</c>), each
/// with an internal listener, behind Debian's haproxy balancing every request round-robin with no affinity. The
/// official TypeScript SDK client runs whole sessions through it; a quota holds over all three; hop headers cannot be
/// forged; killing one replica (SIGKILL, by PID) loses only its own sessions.
/// </summary>
[NonParallelizable] // Three hosts, haproxy and the TypeScript SDK at once: the machine's 2 cores are enough for this fixture alone.
public sealed class ReplicaTests
{
    private const string Path = "/t/acme/every/mcp";
    private const int MaxSessions = 3;

    private readonly string _secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    private readonly List<SmcpProcess> _replicas = [];
    private readonly List<int> _internalPorts = [];
    private PostgresFixture _database = null!;
    private Haproxy _haproxy = null!;
    private string _directory = null!;
    private string _config = null!;
    private string _masterKey = null!;
    private string _key = null!;
    private string _betaKey = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var clock = Stopwatch.StartNew();
        _database = await PostgresFixture.CreateAsync("replicas");
        // The kill test sends as fast as the replicas answer: a per-minute budget far above it, so only the kill can fail a call
        // (SharedLimitsTests proves the shared budget itself).
        var config = SmcpProcess.WriteConfig(_database, "smcp-replica-tests" + SmcpServerFixture.InstanceSuffix, $$"""
            tenants:
              - id: acme
                quotas: { maxSessions: {{MaxSessions}}, requestsPerMinute: 1000000 }
              - id: beta
            """);
        _directory = System.IO.Path.GetDirectoryName(config)!;
        _config = config;
        var masterKey = _masterKey = SmcpProcess.NewMasterKey();
        var environment = new Dictionary<string, string> { [ReplicaOptions.SecretVariable] = _secret };
        var roles = new[] { "all", "proxy", "proxy" };

        // The first one migrates the database; then the two proxies start together.
        var ports = roles.Select(_ => Haproxy.FreePort()).ToList();
        _internalPorts.AddRange(ports);
        Task<SmcpProcess> Start(int i) => SmcpProcess.StartAsync(config, masterKey, environment,
            "--role", roles[i], $"--Replicas:Id=r{i}{SmcpServerFixture.InstanceSuffix}", $"--Replicas:InternalListen=http://127.0.0.1:{ports[i]}");
        _replicas.Add(await Start(0));
        _replicas.AddRange(await Task.WhenAll(Start(1), Start(2)));
        Assert.That(_replicas.Select(r => r.BaseAddress.Port).Intersect(ports), Is.Empty, "the public addresses come first");

        _haproxy = await Haproxy.StartAsync(_replicas.Select(r => r.BaseAddress));
        using var admin = _replicas[0].Client(SmcpServerFixture.AdminKey);
        _key = await SmcpServerFixture.DeployAsync(admin, "smcp-test/everything:test", "acme", "every");
        var beta = await admin.PostAsJsonAsync("/v1/tenants/beta/keys", new { name = "other", role = "tenant-user" });
        _betaKey = (await beta.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
        TestContext.Out.WriteLine($"set-up: {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_haproxy is not null)
        {
            await _haproxy.DisposeAsync();
        }

        foreach (var replica in _replicas)
        {
            TestContext.Out.WriteLine(replica.Output.Length > 4000 ? replica.Output[^4000..] : replica.Output);
            await replica.DisposeAsync();
        }

        await _database.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test, Order(1)]
    public async Task The_TypeScript_SDK_runs_whole_sessions_through_a_balancer_with_no_affinity()
    {
        var url = new Uri(_haproxy.BaseAddress, Path).ToString();
        var node = await NodeTools.Node22Async();
        var sourceDir = System.IO.Path.Combine(NodeTools.RepoRoot, "tests/Proxy.Tests/TypeScript");
        var sdk = await NodeTools.NpmCiAsync(sourceDir, "ts-sdk");
        var script = System.IO.Path.Combine(sourceDir, "client.mjs");
        var cases = new Dictionary<string, string[]>
        {
            ["tools"] = ["tools/list has echo, the long-running, sampling and elicitation tools", "tools/call echo answers"],
            ["cancellation"] = ["the aborted call rejects at once", "notifications/cancelled is POSTed and accepted with 202", "the session goes on after the cancellation"],
            ["resumption-token"] =
            [
                "only the events before the cut arrived while cut off", "onresumptiontoken reported the id of the last event received",
                "the stream was resumed by GET with the Last-Event-ID of the last event received", "every progress event arrived exactly once, in order",
                "the result arrived after the resumption", "the resumed stream carried the result exactly once",
            ],
        };

        // At once, so their requests interleave over the three replicas (three sessions: the tenant's maxSessions).
        var runs = await Task.WhenAll(cases.Keys.Select(name => NodeTools.RunAsync(node, [script, sdk, url, _key, name], sourceDir, TimeSpan.FromMinutes(3))));
        Assert.Multiple(() =>
        {
            foreach (var ((name, checks), (code, output)) in cases.Zip(runs))
            {
                TestContext.Out.WriteLine($"--- {name}");
                NodeTools.AssertChecks(code, output, checks);
            }
        });
    }

    [Test, Order(2)]
    public async Task A_proxy_replica_serves_MCP_but_not_the_API_and_a_control_process_the_API_but_not_MCP()
    {
        using var client = _replicas[1].Client(SmcpServerFixture.AdminKey);
        var api = await client.GetAsync("/v1/tenants/acme/servers");
        var health = await client.GetAsync("/healthz");

        // A control process starting on the same engine leaves the proxies' sandboxes alone (its label is its own).
        var session = await InitializeAsync(_replicas[1].BaseAddress);
        await using var control = await SmcpProcess.StartAsync(_config, _masterKey, "--role", "control");
        using var controlClient = control.Client(SmcpServerFixture.AdminKey);
        var controlApi = await controlClient.GetAsync("/v1/tenants/acme/servers");
        using var controlMcp = Client(control.BaseAddress, _key);
        var controlInitialize = await SmcpServerFixture.PostMcpAsync(controlMcp, null, SmcpServerFixture.Initialize, Path);
        using var viaBalancer = Client(_haproxy.BaseAddress, _key);
        var stillServed = await SendAsync(viaBalancer, HttpMethod.Post, session, Call("after control start"));
        await EndAsync(session);
        TestContext.Out.WriteLine(control.Output);
        Assert.Multiple(async () =>
        {
            Assert.That(api.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "--role proxy maps no tenant API");
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(controlApi.StatusCode, Is.EqualTo(HttpStatusCode.OK), "--role control serves the API");
            Assert.That(controlInitialize.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "--role control has no MCP endpoint");
            Assert.That(stillServed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await stillServed.Content.ReadAsStringAsync());
        });
    }

    [Test, Order(3)]
    public async Task MaxSessions_holds_over_all_replicas_together()
    {
        var sessions = new List<(int Owner, string Id)>();
        for (var i = 0; i < MaxSessions; i++)
        {
            sessions.Add((i, await InitializeAsync(_replicas[i].BaseAddress)));
        }

        using var client = Client(_haproxy.BaseAddress, _key);
        var refused = await SmcpServerFixture.PostMcpAsync(client, null, SmcpServerFixture.Initialize, Path);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), body);
            Assert.That(body, Does.Contain($"limit of {MaxSessions} sessions over all proxy replicas together"));
            Assert.That(refused.Headers.RetryAfter, Is.Not.Null);
        });

        // Ending one (DELETE through the balancer: most likely forwarded) makes room again, on any replica.
        var delete = await SendAsync(client, HttpMethod.Delete, sessions[2].Id);
        Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var again = await InitializeAsync(_replicas[0].BaseAddress);
        await EndAsync(again);
        await EndAsync(sessions[0].Id);
        await EndAsync(sessions[1].Id);
    }

    [Test, Order(4)]
    public async Task Hop_headers_are_refused_on_the_public_listener_and_the_internal_one_takes_only_signed_hops()
    {
        var session = await InitializeAsync(_replicas[0].BaseAddress);
        using var viaBalancer = Client(_haproxy.BaseAddress, _key);
        using var forged = Request(HttpMethod.Post, session, Call("forged"));
        forged.Headers.Add(ReplicaHop.SignatureHeader, "t=1,v1=00");
        forged.Headers.Add(ReplicaHop.ClientHeader, "10.0.0.1");
        var publicForged = await viaBalancer.SendAsync(forged);

        using var internalClient = Client(new Uri($"http://127.0.0.1:{_internalPorts[0]}"), _key);
        var unsigned = await internalClient.SendAsync(Request(HttpMethod.Post, session, Call("unsigned")));
        using var badSignature = Request(HttpMethod.Post, session, Call("bad"));
        badSignature.Headers.Add(ReplicaHop.SignatureHeader, $"t={DateTimeOffset.UtcNow.ToUnixTimeSeconds()},v1={new string('0', 64)}");
        badSignature.Headers.Add(ReplicaHop.ClientHeader, "127.0.0.1");
        badSignature.Headers.Add(ReplicaHop.LocalHeader, "127.0.0.1");
        badSignature.Headers.Add(ReplicaHop.SchemeHeader, "http");
        var wrongMac = await internalClient.SendAsync(badSignature);

        // A correctly signed hop (the test holds the secret) to another path of the internal listener.
        using var apiHop = Signed(HttpMethod.Get, "/v1/tenants/acme/servers", null, null, _internalPorts[0]);
        var apiOnInternal = await internalClient.SendAsync(apiHop);
        Assert.Multiple(async () =>
        {
            Assert.That(publicForged.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await publicForged.Content.ReadAsStringAsync());
            Assert.That(unsigned.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(wrongMac.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(apiOnInternal.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the internal listener serves the MCP path only");
        });
        await EndAsync(session);
    }

    [Test, Order(5)]
    public async Task A_directory_row_never_routes_a_request_without_the_owners_credential_check()
    {
        var session = await InitializeAsync(_replicas[0].BaseAddress);
        using var wrongKey = Client(_replicas[1].BaseAddress, "smcp_not-a-key-at-all-0123456789");
        var badKey = await SendAsync(wrongKey, HttpMethod.Post, session, Call("bad key"));
        using var otherTenant = Client(_replicas[1].BaseAddress, _betaKey);
        var acmeUrlBetaKey = await SendAsync(otherTenant, HttpMethod.Post, session, Call("beta"));
        var betaUrl = await SendAsync(otherTenant, HttpMethod.Post, session, Call("beta"), "/t/beta/every/mcp");
        using var rightKey = Client(_replicas[2].BaseAddress, _key);
        var forwarded = await SendAsync(rightKey, HttpMethod.Post, session, Call("forwarded"));

        // Signed as a replica would, straight to the owner's internal listener, with a key that is not valid: the owner refuses it itself.
        using var hop = Signed(HttpMethod.Post, Path, session, Call("hop"), _internalPorts[0], "smcp_not-a-key-at-all-0123456789");
        using var internalClient = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_internalPorts[0]}") };
        var ownerChecks = await internalClient.SendAsync(hop);
        using var goodHop = Signed(HttpMethod.Post, Path, session, Call("hop"), _internalPorts[0], _key);
        var ownerServes = await internalClient.SendAsync(goodHop);
        Assert.Multiple(async () =>
        {
            Assert.That(forwarded.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the owner's key, through another replica: forwarded");
            Assert.That(await forwarded.Content.ReadAsStringAsync(), Does.Contain("Echo: forwarded"));
            Assert.That(badKey.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(acmeUrlBetaKey.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "beta's key may not use acme's servers");
            Assert.That(betaUrl.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "acme's session is not in beta's directory");
            Assert.That(ownerChecks.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a good hop does not stand in for the client's credential");
            Assert.That(ownerServes.StatusCode, Is.EqualTo(HttpStatusCode.OK), await ownerServes.Content.ReadAsStringAsync());
        });
        await EndAsync(session);
    }

    [Test, Order(6)]
    public async Task Killing_a_replica_mid_load_loses_only_its_own_sessions()
    {
        var owned = new List<string>();
        for (var i = 0; i < MaxSessions; i++)
        {
            owned.Add(await InitializeAsync(_replicas[i].BaseAddress));
        }

        using var client = Client(_haproxy.BaseAddress, _key);
        var calls = new List<(int Session, long Started, string Outcome)>();
        var killed = long.MaxValue;
        async Task RoundAsync() => await Task.WhenAll(owned.Select(async (id, session) =>
        {
            var started = Stopwatch.GetTimestamp();
            string outcome;
            try
            {
                var response = await SendAsync(client, HttpMethod.Post, id, Call("load"));
                var text = await response.Content.ReadAsStringAsync();
                outcome = response.StatusCode == HttpStatusCode.OK && !text.Contains("Echo: load", StringComparison.Ordinal) ? "wrong answer: " + text : response.StatusCode.ToString();
            }
            catch (HttpRequestException ex)
            {
                outcome = "transport: " + ex.Message;
            }

            lock (calls)
            {
                calls.Add((session, started, outcome));
            }
        }));

        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await RoundAsync();
            }
        });
        await Task.Delay(1000);
        await _replicas[2].KillAsync();
        killed = Stopwatch.GetTimestamp();
        await Task.Delay(2000);
        await stop.CancelAsync();
        await load;

        // A request in flight through the killed replica at that moment may fail at the transport (the balancer cannot
        // retry a request it has sent): that is the request, not the session. Every one sent after the kill must succeed.
        TestContext.Out.WriteLine(string.Join('\n', calls.Select(c => $"{c.Session} {(c.Started < killed ? "before" : "after")} {c.Outcome}")));
        var survivors = calls.Where(c => c.Session < 2).ToList();
        var lost = calls.Where(c => c.Session == 2).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(survivors.Where(c => c.Started >= killed).Select(c => c.Outcome), Is.Not.Empty.And.All.EqualTo("OK"), "sessions of the replicas left, after the kill");
            Assert.That(survivors.Where(c => c.Started < killed).Count(c => c.Outcome == "OK"), Is.GreaterThan(0), "the load was running before the kill");
            Assert.That(survivors.Select(c => c.Outcome), Has.None.EqualTo("NotFound"), "no session of the replicas left is lost");
            Assert.That(lost.Where(c => c.Started >= killed).Select(c => c.Outcome), Is.Not.Empty.And.All.EqualTo("NotFound"),
                "the killed replica's session is gone, wherever its requests land: 404, never a 5xx");
        });

        // Its client initializes again, through the balancer, and goes on.
        var renewed = await InitializeAsync(_haproxy.BaseAddress);
        var after = await SendAsync(client, HttpMethod.Post, renewed, Call("renewed"));
        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.OK), await after.Content.ReadAsStringAsync());
    }

    private async Task<string> InitializeAsync(Uri replica)
    {
        using var client = Client(replica, _key);
        var response = await SmcpServerFixture.PostMcpAsync(client, null, SmcpServerFixture.Initialize, Path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var id = response.Headers.GetValues("Mcp-Session-Id").Single();
        var initialized = await SmcpServerFixture.PostMcpAsync(client, id, SmcpServerFixture.Initialized, Path);
        Assert.That(initialized.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        return id;
    }

    private async Task EndAsync(string session)
    {
        using var client = Client(_haproxy.BaseAddress, _key);
        var response = await SendAsync(client, HttpMethod.Delete, session);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
    }

    private static string Call(string message) =>
        """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"message":""" + JsonValue.Create(message).ToJsonString() + "}}}";

    private static HttpClient Client(Uri baseAddress, string key)
    {
        var client = new HttpClient { BaseAddress = baseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static HttpRequestMessage Request(HttpMethod method, string? session, string? json, string path = Path)
    {
        var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (session is not null)
        {
            request.Headers.Add("Mcp-Session-Id", session);
            request.Headers.Add("MCP-Protocol-Version", "2025-06-18");
        }

        return request;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string session, string? json = null, string path = Path) =>
        client.SendAsync(Request(method, session, json, path));

    /// <summary>A request signed as a replica's hop, with the real <see cref="ReplicaHop"/> and the fixture's secret.</summary>
    private HttpRequestMessage Signed(HttpMethod method, string path, string? session, string? json, int port, string? key = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method.Method;
        context.Request.Path = path;
        context.Request.Host = new HostString("127.0.0.1", port);
        context.Request.Scheme = "http";
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Connection.LocalIpAddress = IPAddress.Loopback;
        if (session is not null)
        {
            context.Request.Headers["Mcp-Session-Id"] = session;
        }

        var hop = new ReplicaHop(new ReplicaOptions { Secret = _secret }, TimeProvider.System);
        var request = Request(method, session, json, path);
        foreach (var (name, value) in hop.Sign(context))
        {
            request.Headers.Add(name, value);
        }

        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }
}
