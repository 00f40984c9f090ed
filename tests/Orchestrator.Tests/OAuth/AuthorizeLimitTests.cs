using System.Net;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.OAuth;

/// <summary><c>GET /authorize</c> on a host with a small per-address budget: each request may read the database or fetch a metadata document, so past the budget it is 429.</summary>
public sealed class AuthorizeLimitTests
{
    private const int Burst = 3;
    private const int Attempts = 12;

    [Test]
    public async Task Authorization_requests_past_the_addresss_budget_are_429_with_retry_after()
    {
        await using var smcp = await SmcpServerFixture.StartAsync("oauth_authorize_limit", """
            tenants:
              - id: acme
            """, $"--Proxy:PreAuthPerClientBurst={Burst}", "--Proxy:PreAuthPerClientPerSecond=1");
        using var client = smcp.Client();
        var answered = 0;
        HttpResponseMessage? refused = null;
        for (var i = 0; i < Attempts && refused is null; i++)
        {
            // An unknown client each time: a database read each (and, were it a metadata-document URL, an outbound fetch).
            var response = await client.GetAsync($"/oauth/acme/authorize?client_id=unknown-{i}");
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                answered++;
                response.Dispose();
            }
            else
            {
                refused = response;
            }
        }

        // The bucket refills one a second, so a refill may land while the requests run: at most one more than the burst.
        Assert.That(answered, Is.InRange(Burst, Burst + 1));
        Assert.That(refused?.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refused!.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        refused.Dispose();
    }
}
