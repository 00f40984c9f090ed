using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Smcp.Proxy.Auth;

namespace Smcp.Proxy.Tests.Auth;

/// <summary>An external issuer's key set fetched from a loopback server the test runs, counting every fetch.</summary>
public sealed class RemoteJsonWebKeysTests
{
    private const string KeySet = """{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"AA","y":"AA"},{"kty":"EC","kid":"k2"}]}""";

    private static readonly HttpClient Client = new(new SocketsHttpHandler { AllowAutoRedirect = false });

    private WebApplication _server = null!;
    private string _base = null!;
    private int _jwksHits;
    private int _discoveryHits;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _server = builder.Build();
        _server.MapGet("/jwks", () =>
        {
            Interlocked.Increment(ref _jwksHits);
            return Results.Text(KeySet, "application/json");
        });
        _server.MapGet("/realm/.well-known/openid-configuration", () =>
        {
            Interlocked.Increment(ref _discoveryHits);
            return Results.Text($$"""{"issuer":"{{_base}}/realm","jwks_uri":"{{_base}}/jwks"}""", "application/json");
        });
        _server.MapGet("/liar/.well-known/openid-configuration", () => Results.Text($$"""{"issuer":"https://someone.else","jwks_uri":"{{_base}}/jwks"}""", "application/json"));
        _server.MapGet("/big", () => Results.Text("""{"keys":[],"pad":" """ + new string(' ', 300 * 1024) + "\"}", "application/json"));
        await _server.StartAsync();
        _base = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _server.DisposeAsync();

    [SetUp]
    public void ResetCounts()
    {
        _jwksHits = 0;
        _discoveryHits = 0;
    }

    [Test]
    public async Task A_known_kid_is_served_from_memory_after_the_first_fetch()
    {
        using var keys = Keys(new RemoteJsonWebKeysOptions { Issuer = _base, JwksUrl = _base + "/jwks", AllowHttp = true }, new ManualClock());

        for (var i = 0; i < 20; i++)
        {
            Assert.That(await keys.FindAsync("k1", CancellationToken.None), Does.Contain("\"kid\":\"k1\""));
        }

        Assert.That(_jwksHits, Is.EqualTo(1));
    }

    [Test]
    public async Task Known_keys_are_refetched_once_they_are_older_than_the_max_age()
    {
        var clock = new ManualClock();
        using var keys = Keys(new RemoteJsonWebKeysOptions { Issuer = _base, JwksUrl = _base + "/jwks", AllowHttp = true }, clock);
        await keys.FindAsync("k1", CancellationToken.None);

        clock.Advance(TimeSpan.FromMinutes(59));
        await keys.FindAsync("k1", CancellationToken.None);
        Assert.That(_jwksHits, Is.EqualTo(1));

        clock.Advance(TimeSpan.FromMinutes(1));
        await keys.FindAsync("k1", CancellationToken.None);
        await keys.FindAsync("k1", CancellationToken.None);
        Assert.That(_jwksHits, Is.EqualTo(2));
    }

    [Test]
    public async Task Unknown_kids_refetch_the_key_set_at_most_once_per_floor()
    {
        var clock = new ManualClock();
        using var keys = Keys(new RemoteJsonWebKeysOptions { Issuer = _base, JwksUrl = _base + "/jwks", AllowHttp = true }, clock);
        await keys.FindAsync("k1", CancellationToken.None);

        var guesses = Enumerable.Range(0, 200).Select(i => keys.FindAsync("guess-" + i, CancellationToken.None).AsTask());
        var found = await Task.WhenAll(guesses);
        Assert.That(found, Is.All.Null);
        Assert.That(_jwksHits, Is.EqualTo(1), "within the floor no unknown kid fetches");

        clock.Advance(TimeSpan.FromSeconds(29));
        await keys.FindAsync("guess-a", CancellationToken.None);
        Assert.That(_jwksHits, Is.EqualTo(1));

        clock.Advance(TimeSpan.FromSeconds(1));
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => keys.FindAsync("guess-b" + i, CancellationToken.None).AsTask()));
        Assert.That(_jwksHits, Is.EqualTo(2), "once the floor has passed, one fetch for all the unknown kids at once");
    }

    [Test]
    public async Task The_jwks_uri_is_found_by_discovery_once()
    {
        using var keys = Keys(new RemoteJsonWebKeysOptions { Issuer = _base + "/realm", AllowHttp = true, RefreshFloor = TimeSpan.Zero }, new ManualClock());

        Assert.That(await keys.FindAsync("k2", CancellationToken.None), Is.Not.Null);
        Assert.That(await keys.FindAsync("k3", CancellationToken.None), Is.Null);
        Assert.That((_discoveryHits, _jwksHits), Is.EqualTo((1, 2)));
    }

    [Test]
    public async Task A_discovery_document_that_names_another_issuer_is_not_used()
    {
        using var keys = Keys(new RemoteJsonWebKeysOptions { Issuer = _base + "/liar", AllowHttp = true }, new ManualClock());

        Assert.That(await keys.FindAsync("k1", CancellationToken.None), Is.Null);
        Assert.That(_jwksHits, Is.EqualTo(0));
    }

    [Test]
    public async Task A_plain_http_key_set_is_not_fetched_unless_the_issuer_allows_http()
    {
        using var keys = Keys(new RemoteJsonWebKeysOptions { Issuer = _base, JwksUrl = _base + "/jwks" }, new ManualClock());

        Assert.That(await keys.FindAsync("k1", CancellationToken.None), Is.Null);
        Assert.That(_jwksHits, Is.EqualTo(0));
    }

    [Test]
    public async Task A_key_set_larger_than_the_limit_is_refused_without_throwing()
    {
        using var keys = Keys(new RemoteJsonWebKeysOptions { Issuer = _base, JwksUrl = _base + "/big", AllowHttp = true }, new ManualClock());

        Assert.That(await keys.FindAsync("k1", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task An_unreachable_issuer_makes_the_key_unknown_without_throwing()
    {
        using var keys = Keys(new RemoteJsonWebKeysOptions { Issuer = "http://127.0.0.1:9", JwksUrl = "http://127.0.0.1:9/jwks", AllowHttp = true }, new ManualClock());

        Assert.That(await keys.FindAsync("k1", CancellationToken.None), Is.Null);
    }

    private static RemoteJsonWebKeys Keys(RemoteJsonWebKeysOptions options, TimeProvider clock) =>
        new(options, Client, clock, NullLogger.Instance);

    /// <summary>A clock the test moves by hand; timers still run on real time.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
