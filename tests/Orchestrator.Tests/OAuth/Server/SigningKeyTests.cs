using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Smcp.Orchestrator.Data;
using Smcp.Orchestrator.OAuth.Keys;
using Smcp.Orchestrator.Secrets;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.OAuth.Server;

/// <summary>The token-signing keys: made once, sealed, published, rotated with an overlap.</summary>
[NonParallelizable] // The rotation test changes the key every other test of the host signs with; the tests here read the current key.
public sealed class SigningKeyTests
{
    private AuthServerClient _as = null!;

    [OneTimeSetUp]
    public void Start() => _as = new AuthServerClient(OAuthHost.Smcp);

    private T Service<T>() where T : notnull => _as.Smcp.Services.GetRequiredService<T>();

    private async Task<string> ServiceTokenAsync()
    {
        var service = await _as.AddServiceClientAsync();
        using var response = await _as.TokenAsync(new() { ["grant_type"] = "client_credentials", ["resource"] = _as.Resource() }, service);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return (await AuthServerClient.JsonAsync(response))["access_token"]!.GetValue<string>();
    }

    [Test]
    public async Task The_first_start_makes_one_key_whose_row_holds_no_plaintext_private_key()
    {
        Assert.That(await _as.Smcp.Database.SuperuserScalarAsync<long>("SELECT count(*) FROM oauth_signing_keys WHERE retired_at IS NULL"), Is.EqualTo(1));
        var current = (await Service<SigningKeyRing>().KeysAsync(CancellationToken.None)).Current;
        var pkcs8 = current.PrivateKey.ExportPkcs8PrivateKey();
        var d = current.PrivateKey.ExportParameters(includePrivateParameters: true).D!;
        var sealedKey = await _as.Smcp.Database.SuperuserScalarAsync<byte[]>($"SELECT sealed_key FROM oauth_signing_keys WHERE kid = '{current.Kid}'");

        Assert.That(sealedKey.AsSpan().IndexOf(pkcs8), Is.EqualTo(-1), "the PKCS#8 bytes are in the row");
        Assert.That(sealedKey.AsSpan().IndexOf(d), Is.EqualTo(-1), "the private scalar is in the row");
        using var probe = ECDsa.Create();
        Assert.That(() => probe.ImportPkcs8PrivateKey(sealedKey, out _), Throws.InstanceOf<CryptographicException>());
        var opened = Service<SigningKeySeal>().Open(current.Kid, sealedKey);
        Assert.That(opened, Is.EqualTo(pkcs8), "the row opens, under the master key, to the key that signs");
    }

    [Test]
    public async Task A_second_process_starting_on_the_same_database_makes_no_second_key()
    {
        await using var source = _as.Smcp.Database.NewAppDataSource();
        var store = new SigningKeyStore(new TenantDb(source), Service<SigningKeySeal>(), TimeProvider.System);

        Assert.That(await store.EnsureActiveAsync(CancellationToken.None), Is.False);
        Assert.That(await _as.Smcp.Database.SuperuserScalarAsync<long>("SELECT count(*) FROM oauth_signing_keys WHERE retired_at IS NULL"), Is.EqualTo(1));
    }

    [Test]
    public async Task Processes_starting_at_once_on_an_empty_database_make_exactly_one_key()
    {
        await using var database = await PostgresFixture.CreateAsync("oauth_keys_race");
        using var masterKey = MasterKey.Parse(Convert.ToBase64String(RandomNumberGenerator.GetBytes(MasterKey.Size)));
        var sources = Enumerable.Range(0, 4).Select(_ => database.NewAppDataSource()).ToList();
        try
        {
            var made = await Task.WhenAll(sources.Select(source =>
                new SigningKeyStore(new TenantDb(source), new SigningKeySeal(masterKey), TimeProvider.System).EnsureActiveAsync(CancellationToken.None)));

            Assert.That(made.Count(m => m), Is.EqualTo(1));
            Assert.That(await database.SuperuserScalarAsync<long>("SELECT count(*) FROM oauth_signing_keys"), Is.EqualTo(1));
        }
        finally
        {
            foreach (var source in sources)
            {
                await source.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task A_key_sealed_under_another_master_key_does_not_open()
    {
        var stored = (await Service<SigningKeyStore>().LoadAsync(DateTimeOffset.UtcNow, CancellationToken.None)).First(k => k.RetiredAt is null);
        using var otherMasterKey = MasterKey.Parse(Convert.ToBase64String(RandomNumberGenerator.GetBytes(MasterKey.Size)));
        var other = new SigningKeyStore(Service<TenantDb>(), new SigningKeySeal(otherMasterKey), TimeProvider.System);

        Assert.That(() => other.OpenPrivateKey(stored), Throws.InvalidOperationException.With.Message.Contains("SMCP_MASTER_KEY"));
        Assert.That(new SigningKeySeal(otherMasterKey).Open(stored.Kid, stored.SealedKey), Is.Null);
        Assert.That(() => other.RotateAsync(CancellationToken.None), Throws.InvalidOperationException, "a rotation under the wrong master key is refused");
        Assert.That(await _as.Smcp.Database.SuperuserScalarAsync<string>("SELECT kid FROM oauth_signing_keys WHERE retired_at IS NULL"), Is.EqualTo(stored.Kid));
    }

    [Test]
    public async Task The_cli_rotates_the_signing_key_and_prints_the_new_key_id()
    {
        var ring = Service<SigningKeyRing>();
        var oldKid = (await ring.ReloadAsync(null, CancellationToken.None)).Current.Kid;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "smcp.dll"), "keys", "rotate-signing", "--config", _as.Smcp.ConfigPath })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[MasterKey.EnvironmentVariable] = Convert.ToBase64String(Service<MasterKey>().Bytes);
        using var process = Process.Start(start)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.That(process.ExitCode, Is.Zero, stdout + stderr);
        var newKid = stdout.Trim();
        Assert.That((await ring.ReloadAsync(null, CancellationToken.None)).Current.Kid, Is.EqualTo(newKid));
        Assert.That(newKid, Is.Not.EqualTo(oldKid));
        Assert.That(await ring.FindAsync(oldKid, CancellationToken.None), Is.Not.Null, "the old key stays published");
        Assert.That(stderr, Does.Contain("stays published"));
    }

    [Test]
    public async Task The_key_set_publishes_the_signing_key_public_half_only_and_may_be_cached()
    {
        var kid = (await Service<SigningKeyRing>().KeysAsync(CancellationToken.None)).Current.Kid;
        using var http = _as.Smcp.Client();
        using var response = await http.GetAsync("/oauth/jwks");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.CacheControl?.ToString(), Is.EqualTo("public, max-age=300"));
        var key = (await AuthServerClient.JsonAsync(response))["keys"]!.AsArray().Single(k => k!["kid"]!.GetValue<string>() == kid)!.AsObject();
        Assert.That(key.Select(p => p.Key), Is.EquivalentTo(new[] { "kty", "use", "alg", "kid", "crv", "x", "y" }));
        Assert.That((key["kty"]!.GetValue<string>(), key["crv"]!.GetValue<string>(), key["alg"]!.GetValue<string>()), Is.EqualTo(("EC", "P-256", "ES256")));
    }

    [Test]
    public async Task Rotation_keeps_the_old_key_published_and_new_tokens_use_the_new_key()
    {
        var ring = Service<SigningKeyRing>();
        var before = await ServiceTokenAsync();
        var (oldHeader, _) = await _as.DecodeAsync(before);
        var oldKid = oldHeader["kid"]!.GetValue<string>();

        var newKid = await Service<SigningKeyStore>().RotateAsync(CancellationToken.None);
        await ring.ReloadAsync(null, CancellationToken.None);
        var after = await ServiceTokenAsync();

        var (newHeader, _) = await _as.DecodeAsync(after);
        Assert.That(newHeader["kid"]!.GetValue<string>(), Is.EqualTo(newKid));
        Assert.That(newKid, Is.Not.EqualTo(oldKid));
        var (_, oldClaims) = await _as.DecodeAsync(before);
        Assert.That(oldClaims["iss"]!.GetValue<string>(), Is.EqualTo(_as.Issuer()), "a token the old key signed still verifies against the key set");
        Assert.That(await ring.FindAsync(oldKid, CancellationToken.None), Is.Not.Null);
        Assert.That(await _as.Smcp.Database.SuperuserScalarAsync<long>("SELECT count(*) FROM oauth_signing_keys WHERE retired_at IS NULL"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_key_another_process_made_is_found_when_a_token_names_it()
    {
        var ring = Service<SigningKeyRing>();
        await ring.ReloadAsync(null, CancellationToken.None);
        await using var source = _as.Smcp.Database.NewAppDataSource();
        var newKid = await new SigningKeyStore(new TenantDb(source), Service<SigningKeySeal>(), TimeProvider.System).RotateAsync(CancellationToken.None);

        Assert.That(await ring.FindAsync(newKid, CancellationToken.None), Is.Null, "within the floor an unknown id does not make the ring read");
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var jwk = await ring.FindAsync(newKid, CancellationToken.None);

        Assert.That(JsonNode.Parse(jwk!)!["kid"]!.GetValue<string>(), Is.EqualTo(newKid));
        Assert.That((await ring.KeysAsync(CancellationToken.None)).Current.Kid, Is.EqualTo(newKid), "the ring signs with the newest key once it has read it");
    }
}
