using System.Net;
using Smcp.Proxy.Limits;
using Smcp.Proxy.Tests.Support;
using Smcp.Proxy.Tests.Transport;

namespace Smcp.Proxy.Tests.Sessions;

/// <summary>What opening and ending sessions cost a tenant: a session start each initialize, a request each DELETE.</summary>
public sealed class SessionBudgetTests
{
    [Test]
    public async Task Initializes_beyond_the_session_starts_per_minute_get_429_with_retry_after_and_a_json_rpc_error()
    {
        using var refusals = new RefusalListener();
        var http = TestHost.Http("starts", "conf");
        var first = await http.InitializeAsync(token: TestCredentials.Admin);
        var second = await http.InitializeAsync(token: TestCredentials.Admin);

        using var refused = await http.SendAsync(http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25", id: 7), TestCredentials.Admin));
        var body = System.Text.Json.Nodes.JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refused.Headers.RetryAfter!.Delta, Is.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(TimeSpan.FromSeconds(31)),
            "one start comes back every 30 s at 2 per minute");
        Assert.That(body["id"]!.GetValue<int>(), Is.EqualTo(7));
        Assert.That(body["error"]!["message"]!.GetValue<string>(), Is.EqualTo("Tenant 'starts' is over its limit of 2 session starts per minute."));
        Assert.That(refusals.Count(RefusalMetrics.RateLimited, "starts"), Is.EqualTo(1), "counted in the refusal metric");
        Assert.That(TestHost.Recorder.Audit.Count(a => a.Tenant == "starts" && a.Outcome == RefusalMetrics.RateLimited), Is.Zero,
            "no session exists yet: no audit row");
        foreach (var session in new[] { first, second })
        {
            (await http.SendAsync(http.Request(HttpMethod.Delete, token: TestCredentials.Admin, session: session))).Dispose();
        }
    }

    [Test]
    public async Task Delete_counts_against_the_tenants_requests_per_minute()
    {
        var http = TestHost.Http("counted", "conf");
        var session = await http.InitializeAsync(token: TestCredentials.Admin);
        using var deleted = await http.SendAsync(http.Request(HttpMethod.Delete, token: TestCredentials.Admin, session: session));

        using var next = await http.SendAsync(http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"), TestCredentials.Admin));

        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(next.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "initialize, notifications/initialized and DELETE took the 3 of the minute");
        var error = await AdmissionTests.ErrorAsync(next);
        Assert.That(error["message"]!.GetValue<string>(), Is.EqualTo("Tenant 'counted' is over its limit of 3 MCP requests per minute."));
    }
}
