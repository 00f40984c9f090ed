using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Faults;

/// <summary>Postgres stopped and started again while MCP calls, new sessions and API reads run against a real host.</summary>
public sealed class PostgresRestartTests
{
    private const int Workers = 4;
    private static readonly TimeSpan Load = TimeSpan.FromSeconds(9);
    private static readonly TimeSpan DownAt = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan DownFor = TimeSpan.FromSeconds(3);

    [Test]
    public async Task No_acknowledged_call_loses_its_audit_row_and_nothing_answers_500_while_the_database_is_down()
    {
        await using var cluster = await PrivatePostgres.StartAsync();
        await using var smcp = await SmcpServerFixture.StartAsync(
            await PostgresFixture.CreateAsync("pgrestart", server: cluster.ServerConnectionString), "pgrestart", """
            tenants:
              - id: acme
                quotas: { requestsPerMinute: 1000000, maxSessions: 50 }
            """);
        using var admin = smcp.Client(SmcpServerFixture.AdminKey);
        var key = await SmcpServerFixture.DeployAsync(admin, "smcp-test/hostile:test");
        var unseenKey = (await (await admin.PostAsJsonAsync("/v1/tenants/acme/keys", new { name = "unseen", role = "tenant-user" }))
            .Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
        using var mcp = smcp.Client(key);
        var sessions = new List<string>();
        for (var i = 0; i < Workers; i++)
        {
            sessions.Add(await HostMcp.InitializeAsync(mcp));
        }

        var outcomes = new ConcurrentQueue<string>();
        var acknowledged = 0;
        var clock = Stopwatch.StartNew();
        var calls = sessions.Select((session, worker) => Task.Run(async () =>
        {
            for (var n = 0; clock.Elapsed < Load; n++)
            {
                var response = await SmcpServerFixture.PostMcpAsync(mcp, session, HostMcp.ToolCall(n, "echo", $"w{worker}-{n}"));
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK && HostMcp.Message(body)["result"] is not null)
                {
                    Interlocked.Increment(ref acknowledged);
                }
                else
                {
                    outcomes.Enqueue($"tools/call {(int)response.StatusCode} {body}");
                }
            }
        })).ToList();
        var opens = Task.Run(async () =>
        {
            while (clock.Elapsed < Load)
            {
                var response = await SmcpServerFixture.PostMcpAsync(mcp, null, SmcpServerFixture.Initialize);
                outcomes.Enqueue($"initialize {(int)response.StatusCode} at {clock.Elapsed.TotalSeconds:F1} s {await response.Content.ReadAsStringAsync()}");
                if (response.Headers.TryGetValues("Mcp-Session-Id", out var id))
                {
                    using var delete = new HttpRequestMessage(HttpMethod.Delete, "/t/acme/notes/mcp");
                    delete.Headers.Add("Mcp-Session-Id", id.Single());
                    var deleted = await mcp.SendAsync(delete);
                    outcomes.Enqueue($"DELETE session {(int)deleted.StatusCode} at {clock.Elapsed.TotalSeconds:F1} s {await deleted.Content.ReadAsStringAsync()}");
                }

                await Task.Delay(300);
            }
        });
        var reads = Task.Run(async () =>
        {
            while (clock.Elapsed < Load)
            {
                var servers = await admin.GetAsync("/v1/tenants/acme/servers");
                outcomes.Enqueue($"GET /servers {(int)servers.StatusCode} at {clock.Elapsed.TotalSeconds:F1} s {await servers.Content.ReadAsStringAsync()}");
                await Task.Delay(200);
            }
        });

        await Task.Delay(DownAt);
        await cluster.StopAsync();
        HttpResponseMessage unseenKeyAnswer;
        using (var unseen = smcp.Client(unseenKey))
        {
            unseenKeyAnswer = await SmcpServerFixture.PostMcpAsync(unseen, null, SmcpServerFixture.Initialize);
            outcomes.Enqueue($"initialize with a key not seen before {(int)unseenKeyAnswer.StatusCode} {await unseenKeyAnswer.Content.ReadAsStringAsync()}");
        }

        await Task.Delay(DownFor);
        await cluster.StartServerAsync();
        await Task.WhenAll([.. calls, opens, reads]);

        var rows = await WaitForRowsAsync(smcp.Database, acknowledged);
        TestContext.Out.WriteLine($"FAULT-PGRESTART acknowledged={acknowledged} rows={rows} other={outcomes.Count}");
        foreach (var kind in outcomes.GroupBy(o => string.Join(' ', o.Split(' ').TakeWhile(w => w != "at" && !w.StartsWith('{')))))
        {
            TestContext.Out.WriteLine($"{kind.Count()} x {kind.Key}: {string.Join(" | ", kind.Select(k => k[..Math.Min(k.Length, 160)]))}");
        }

        Assert.That(acknowledged, Is.GreaterThan(100), "the load ran");
        Assert.That(rows, Is.EqualTo(acknowledged), "every acknowledged tools/call has exactly one audit row");
        Assert.That(outcomes.Where(o => o.Contains(" 500 ", StringComparison.Ordinal) || o.Contains(" 502 ", StringComparison.Ordinal)), Is.Empty);
        Assert.That(outcomes.Where(o => o.Contains(" 503 ", StringComparison.Ordinal) && !o.Contains("database", StringComparison.OrdinalIgnoreCase)), Is.Empty,
            "a refusal during the outage says why");
        Assert.That(unseenKeyAnswer.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "a key that must be looked up cannot be while the database is down");
        Assert.That(unseenKeyAnswer.Headers.RetryAfter, Is.Not.Null);
        Assert.That(outcomes.Count(o => o.StartsWith("GET /servers 503", StringComparison.Ordinal)), Is.GreaterThan(0), "the API was asked while the database was down");
        await HostMcp.InitializeAsync(mcp);
        var verify = await admin.GetFromJsonAsync<JsonObject>("/v1/tenants/acme/audit/verify");
        Assert.That(verify!["intact"]!.GetValue<bool>(), Is.True, verify.ToJsonString());
    }

    /// <summary>Committed <c>tools/call</c> rows answered ok, once the writer's retries have caught up (it backs off to 5 s).</summary>
    private static async Task<long> WaitForRowsAsync(PostgresFixture database, int expected)
    {
        long rows = 0;
        for (var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20); DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            // Unpooled: the restart broke the connections pooled before it.
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.SuperuserConnectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT count(*) FROM audit_log WHERE action = 'tools/call' AND outcome = 'ok'", connection);
            rows = (long)(await count.ExecuteScalarAsync())!;
            if (rows >= expected)
            {
                break;
            }
        }

        return rows;
    }
}
