using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.Auth;

/// <summary>Anonymous load against the real host: random well-formed keys cost the database no more than the pre-auth budget.</summary>
public sealed class PreAuthBudgetTests
{
    private const int Requests = 10_000;

    // The defaults (README, host settings): per client 20/s with a burst of 40; every request here comes from 127.0.0.1.
    private const int ClientPerSecond = 20;
    private const int ClientBurst = 40;

    [Test]
    public async Task Ten_thousand_random_keys_make_at_most_the_budgeted_database_round_trips()
    {
        await using var smcp = await SmcpServerFixture.StartAsync("preauth", """
            tenants:
              - id: acme
            """);
        using var commands = new NpgsqlCommandCounter(smcp.Database.Database);
        using var refusals = new RefusalCounter(smcp.Services);
        using var client = smcp.Client();
        using var admin = smcp.Client(SmcpServerFixture.AdminKey);
        var created = await admin.PostAsJsonAsync("/v1/tenants/acme/keys", new { name = "reader", role = "read-only" });
        using var reader = smcp.Client((await created.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>());
        Assert.That((await reader.GetAsync("/v1/tenants/acme/servers")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the key is looked up once and remembered");

        // One unknown key first: how many commands one credential lookup sends, which also shows the counter sees them.
        commands.Reset();
        Assert.That((await SendAsync(client, 0)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var perLookup = commands.Count;
        Assert.That(perLookup, Is.GreaterThan(0), "the counter saw no command for a lookup of an unknown key");

        var rowsBefore = await smcp.Database.SuperuserScalarAsync<long>("SELECT count(*) FROM audit_log");
        commands.Reset();
        var statuses = new int[600];
        var limitedByEndpoint = new int[2];
        var withRetryAfter = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(1, Requests), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, cancellationToken) =>
        {
            using var response = await SendAsync(client, i);
            Interlocked.Increment(ref statuses[(int)response.StatusCode]);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Interlocked.Increment(ref limitedByEndpoint[i % 2]);
                if (response.Headers.RetryAfter?.Delta is { } delay && delay > TimeSpan.Zero)
                {
                    Interlocked.Increment(ref withRetryAfter);
                }
            }
        });
        var elapsed = clock.Elapsed;
        var sent = commands.Count;
        var rememberedKey = (await reader.GetAsync("/v1/tenants/acme/servers")).StatusCode;

        // A token bucket grants at most its burst plus its rate for the time it ran (and one refill period of slack).
        var budget = ClientBurst + (long)Math.Ceiling(ClientPerSecond * (elapsed.TotalSeconds + 1));
        TestContext.Out.WriteLine(
            $"{Requests} requests in {elapsed.TotalSeconds:0.0} s: {statuses[401]} × 401, {statuses[429]} × 429; {sent} database commands ({perLookup} per lookup), budget {budget} lookups");
        Assert.That(statuses[401] + statuses[429], Is.EqualTo(Requests), "every request is refused with 401 or 429");
        Assert.That(sent, Is.LessThanOrEqualTo(budget * perLookup));
        Assert.That(statuses[401], Is.LessThanOrEqualTo(budget));
        Assert.That(withRetryAfter, Is.EqualTo(statuses[429]), "every 429 says when to retry");
        Assert.That(limitedByEndpoint, Has.All.GreaterThan(Requests / 4), "the MCP endpoint and the tenant API share the budget");
        Assert.That(rememberedKey, Is.EqualTo(HttpStatusCode.OK), "a remembered key does not pay from the spent budget");
        Assert.That(refusals.Count("unauthorized"), Is.EqualTo(statuses[401] + 1), "each 401 is counted (and the one before the flood)");
        Assert.That(refusals.Count("preauth-limited"), Is.EqualTo(statuses[429]));
        Assert.That(await smcp.Database.SuperuserScalarAsync<long>("SELECT count(*) FROM audit_log"), Is.EqualTo(rowsBefore), "refusals write no audit row");
    }

    /// <summary>Alternately the MCP endpoint and the tenant API, each with a fresh random key of tenant acme.</summary>
    private static Task<HttpResponseMessage> SendAsync(HttpClient client, int i)
    {
        var key = "smcp_acme_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var request = i % 2 == 0
            ? new HttpRequestMessage(HttpMethod.Post, "/t/acme/notes/mcp")
            {
                Content = new StringContent("""{"jsonrpc":"2.0","id":1,"method":"ping"}""", Encoding.UTF8, "application/json"),
            }
            : new HttpRequestMessage(HttpMethod.Get, "/v1/tenants/acme/servers");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client.SendAsync(request);
    }
}
