using System.Net;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.OAuth.Server;

/// <summary><c>/register</c> on a host with a small per-address budget: past it, 429 with Retry-After, and no row is written.</summary>
public sealed class RegistrationLimitTests
{
    private const int Burst = 3;
    private const int Attempts = 12;

    [Test]
    public async Task Registrations_past_the_addresss_burst_are_429_with_retry_after()
    {
        await using var smcp = await SmcpServerFixture.StartAsync("oauth_register_limit", """
            tenants:
              - id: acme
            """, $"--OAuthServer:RegistrationBurstPerClient={Burst}", "--OAuthServer:RegistrationsPerClientPerSecond=1");
        var client = new AuthServerClient(smcp);
        var created = 0;
        HttpResponseMessage? refused = null;
        for (var i = 0; i < Attempts && refused is null; i++)
        {
            var response = await client.PostRegisterAsync("""{"redirect_uris":["https://app.example/cb"],"token_endpoint_auth_method":"none"}""");
            if (response.StatusCode == HttpStatusCode.Created)
            {
                created++;
                response.Dispose();
            }
            else
            {
                refused = response;
            }
        }

        // The bucket refills one a second, so a refill may land while the requests run: at most one more than the burst.
        Assert.That(created, Is.InRange(Burst, Burst + 1));
        Assert.That(refused, Is.Not.Null);
        await AuthServerClient.AssertErrorAsync(refused!, HttpStatusCode.TooManyRequests, "temporarily_unavailable");
        Assert.That(refused!.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        Assert.That(await smcp.Database.SuperuserScalarAsync<long>("SELECT count(*) FROM oauth_clients"), Is.EqualTo(created));
        refused.Dispose();
    }
}
