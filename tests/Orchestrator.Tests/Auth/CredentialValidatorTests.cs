using System.Net;
using Microsoft.Extensions.Options;
using Smcp.Orchestrator.Auth;
using Smcp.Orchestrator.Data;
using Smcp.Orchestrator.Tests.Support;
using Smcp.Proxy;
using Smcp.Proxy.Limits;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Tests.Auth;

/// <summary>The credential check against a real key store: what the pre-authentication budget costs a real key.</summary>
public sealed class CredentialValidatorTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.9");
    private static readonly IPAddress Client = IPAddress.Parse("127.0.0.10");

    private PostgresFixture _pg = null!;

    [OneTimeSetUp]
    public async Task CreateDatabase()
    {
        _pg = await PostgresFixture.CreateAsync("credentials");
        await _pg.AddTenantsAsync("acme");
    }

    [OneTimeTearDown]
    public async Task DropDatabase() => await _pg.DisposeAsync();

    [Test]
    public async Task A_key_whose_cache_entry_lapsed_is_rechecked_even_while_guesses_have_emptied_the_budget()
    {
        var keys = new ApiKeyStore(_pg.Db);
        var key = ApiKeyFormat.NewKey("acme");
        await keys.CreateAsync("acme", "ide", ApiKeyRoles.TenantUser, ApiKeyFormat.Hash(key), CancellationToken.None);
        using var budget = new PreAuthLimiter(Options.Create(new ProxyOptions
        {
            PreAuthPerClientBurst = 2, PreAuthPerClientPerSecond = 1, PreAuthGlobalBurst = 2, PreAuthGlobalPerSecond = 1,
        }));
        var clock = new ManualClock();
        var validator = new CredentialValidator(new AdminKey(null), keys, budget, clock);
        Assert.That((await validator.ValidateAsync(key, Client, CancellationToken.None)).Principal, Is.Not.Null);

        clock.Advance(CredentialValidator.CacheFor + TimeSpan.FromSeconds(1));
        var guesses = new List<CredentialCheck>();
        for (var i = 0; i < 5; i++)
        {
            guesses.Add(await validator.ValidateAsync(ApiKeyFormat.NewKey("acme"), Attacker, CancellationToken.None));
        }

        var stranger = await validator.ValidateAsync(ApiKeyFormat.NewKey("acme"), Client, CancellationToken.None);
        var lapsed = await validator.ValidateAsync(key, Client, CancellationToken.None);

        Assert.That(guesses.Count(g => g.RetryAfter is not null), Is.GreaterThanOrEqualTo(3), "the guesses emptied the budget");
        Assert.That(lapsed.Principal?.Tenant, Is.EqualTo("acme"), "a key the database confirmed within the hour does not wait for the budget");
        Assert.That(stranger.RetryAfter, Is.Not.Null, "a key never seen still does");
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UnixEpoch.AddYears(56);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
