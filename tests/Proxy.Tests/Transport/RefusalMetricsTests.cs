using System.Net;
using Smcp.Proxy.Limits;
using Smcp.Proxy.Tests.Support;

namespace Smcp.Proxy.Tests.Transport;

/// <summary>Requests refused before a session exists are counted in a metric, not written as audit rows.</summary>
public sealed class RefusalMetricsTests
{
    [Test]
    public async Task A_bad_credential_is_counted_as_unauthorized_and_leaves_no_audit_row()
    {
        using var refusals = new RefusalListener();
        var http = TestHost.Http("hurried", "conf");
        var rowsBefore = TestHost.Recorder.Audit.Count;

        using var response = await http.PostAsync(McpHttp.InitializeBody("2025-11-25"), session: null, token: "not-a-known-token");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(refusals.Count(RefusalMetrics.Unauthorized, tenant: null), Is.GreaterThanOrEqualTo(1));
        // Other tests' sessions of other tenants write rows meanwhile; none may be this tenant's.
        Assert.That(TestHost.Recorder.Audit.Skip(rowsBefore).Where(e => e.Tenant == "hurried"), Is.Empty);
    }

    [Test]
    public async Task An_initialize_over_the_tenants_rate_is_counted_with_its_tenant_and_leaves_no_audit_row()
    {
        using var refusals = new RefusalListener();
        var http = TestHost.Http("hurried", "conf");

        using var first = await http.SendAsync(http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"), TestCredentials.Admin));
        using var second = await http.SendAsync(http.Request(HttpMethod.Post, McpHttp.InitializeBody("2025-11-25"), TestCredentials.Admin));

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK), await first.Content.ReadAsStringAsync());
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(second.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        Assert.That(refusals.Count(RefusalMetrics.RateLimited, "hurried"), Is.EqualTo(1));
        Assert.That(TestHost.Recorder.Audit.Where(e => e.Tenant == "hurried" && e.Outcome == RefusalMetrics.RateLimited), Is.Empty);
        var session = first.Headers.GetValues("Mcp-Session-Id").Single();
        (await http.SendAsync(http.Request(HttpMethod.Delete, token: TestCredentials.Admin, session: session))).Dispose();
    }
}
