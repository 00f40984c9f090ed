using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Smcp.Orchestrator.OAuth;
using Smcp.Orchestrator.OAuth.Clients;

namespace Smcp.Orchestrator.Tests.OAuth.Server;

/// <summary><c>/register</c> (RFC 7591): code-flow clients with safe redirect URIs, nothing else.</summary>
public sealed class RegistrationTests
{
    private AuthServerClient _as = null!;

    [OneTimeSetUp]
    public void Start() => _as = new AuthServerClient(OAuthHost.Smcp);

    private static JsonObject Metadata(params string[] redirectUris) => new()
    {
        ["redirect_uris"] = new JsonArray(redirectUris.Select(u => (JsonNode)JsonValue.Create(u)).ToArray()),
        ["token_endpoint_auth_method"] = "none",
    };

    private async Task AssertRefusedAsync(string json, string error, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        using var response = await _as.PostRegisterAsync(json);
        await AuthServerClient.AssertErrorAsync(response, status, error);
    }

    [Test]
    public async Task A_public_client_registers_and_gets_its_metadata_back()
    {
        var registered = await _as.RegisterAsync(new JsonObject
        {
            ["redirect_uris"] = new JsonArray(AuthServerClient.RedirectUri, "https://app.example/cb"),
            ["grant_types"] = new JsonArray("authorization_code", "refresh_token"),
            ["response_types"] = new JsonArray("code"),
            ["token_endpoint_auth_method"] = "none",
            ["client_name"] = "My IDE",
            ["scope"] = "mcp offline_access",
            ["logo_uri"] = "https://app.example/logo.png",
        });

        Assert.That(registered["client_id"]!.GetValue<string>(), Does.StartWith("smcp-"));
        Assert.That(registered.ContainsKey("client_secret"), Is.False);
        Assert.That(registered["client_id_issued_at"]!.GetValue<long>(), Is.EqualTo(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).Within(60));
        Assert.That(registered["redirect_uris"]!.AsArray().Select(u => u!.GetValue<string>()), Is.EqualTo(new[] { AuthServerClient.RedirectUri, "https://app.example/cb" }));
        Assert.That(registered["grant_types"]!.AsArray().Select(u => u!.GetValue<string>()), Is.EqualTo(new[] { "authorization_code", "refresh_token" }));
        Assert.That(registered["token_endpoint_auth_method"]!.GetValue<string>(), Is.EqualTo("none"));
        Assert.That(registered["client_name"]!.GetValue<string>(), Is.EqualTo("My IDE"));
        Assert.That(registered["scope"]!.GetValue<string>(), Is.EqualTo("mcp offline_access"));
    }

    [Test]
    public async Task A_confidential_client_gets_its_secret_once_and_only_its_hash_is_kept()
    {
        var registered = await _as.RegisterAsync(new JsonObject { ["redirect_uris"] = new JsonArray("https://app.example/cb") });

        Assert.That(registered["token_endpoint_auth_method"]!.GetValue<string>(), Is.EqualTo("client_secret_basic"), "RFC 7591's default");
        Assert.That(registered["client_secret_expires_at"]!.GetValue<long>(), Is.Zero);
        var secret = registered["client_secret"]!.GetValue<string>();
        var stored = await _as.Smcp.Database.SuperuserScalarAsync<byte[]>(
            $"SELECT secret_hash FROM oauth_clients WHERE client_id = '{registered["client_id"]!.GetValue<string>()}'");
        Assert.That(stored, Is.EqualTo(SHA256.HashData(Encoding.UTF8.GetBytes(secret))));
    }

    [TestCase("javascript:alert(1)")]
    [TestCase("http://app.example/cb")]
    [TestCase("http://127.0.0.2.nip.io/cb")]
    [TestCase("https://app.example/cb#fragment")]
    [TestCase("https://user:pass@app.example/cb")]
    [TestCase("https://@app.example/cb")]
    [TestCase("/relative/cb")]
    [TestCase("com.example.app:/cb")]
    [TestCase("https://app.example/c b")]
    public async Task A_hostile_redirect_uri_is_invalid_redirect_uri(string redirectUri) =>
        await AssertRefusedAsync(Metadata(redirectUri).ToJsonString(), "invalid_redirect_uri");

    [Test]
    public async Task Loopback_http_redirect_uris_are_accepted()
    {
        var registered = await _as.RegisterAsync(Metadata("http://127.0.0.1:1234/cb", "http://[::1]:1234/cb", "http://localhost/cb"));

        Assert.That(registered["redirect_uris"]!.AsArray(), Has.Count.EqualTo(3));
    }

    [Test]
    public async Task More_than_ten_redirect_uris_are_invalid_redirect_uri() =>
        await AssertRefusedAsync(Metadata(Enumerable.Range(0, 11).Select(i => $"https://app.example/cb{i}").ToArray()).ToJsonString(), "invalid_redirect_uri");

    [Test]
    public async Task A_redirect_uri_over_2_KiB_is_invalid_redirect_uri() =>
        await AssertRefusedAsync(Metadata("https://app.example/" + new string('a', 2048)).ToJsonString(), "invalid_redirect_uri");

    [Test]
    public async Task No_redirect_uris_is_invalid_redirect_uri() =>
        await AssertRefusedAsync("""{"client_name":"x","token_endpoint_auth_method":"none"}""", "invalid_redirect_uri");

    [Test]
    public async Task A_body_over_16_KiB_is_413() =>
        await AssertRefusedAsync(Metadata("https://app.example/cb").Also(m => m["client_uri"] = new string('a', 17 * 1024)).ToJsonString(),
            "invalid_client_metadata", HttpStatusCode.RequestEntityTooLarge);

    [Test]
    public async Task The_client_credentials_grant_is_invalid_client_metadata() =>
        await AssertRefusedAsync(Metadata("https://app.example/cb").Also(m => m["grant_types"] = new JsonArray("client_credentials")).ToJsonString(), "invalid_client_metadata");

    [TestCase("""{"redirect_uris":"https://app.example/cb"}""")]
    [TestCase("""{"redirect_uris":["https://app.example/cb"],"client_name":42}""")]
    [TestCase("""[1,2,3]""")]
    [TestCase("""{"redirect_uris":["https://app.example/cb"]""")]
    [TestCase("""{"redirect_uris":["https://app.example/cb"],"response_types":["token"]}""")]
    [TestCase("""{"redirect_uris":["https://app.example/cb"],"token_endpoint_auth_method":"private_key_jwt"}""")]
    [TestCase("""{"redirect_uris":["https://app.example/cb"],"grant_types":["refresh_token"]}""")]
    [TestCase("""{"redirect_uris":["https://app.example/cb"],"scope":"mcp admin"}""")]
    public async Task Malformed_or_unsupported_metadata_is_invalid_client_metadata(string json) =>
        await AssertRefusedAsync(json, "invalid_client_metadata");

    [Test]
    public async Task A_client_name_over_200_characters_is_invalid_client_metadata() =>
        await AssertRefusedAsync(Metadata("https://app.example/cb").Also(m => m["client_name"] = new string('n', 201)).ToJsonString(), "invalid_client_metadata");

    [Test]
    public async Task A_tenant_at_its_cap_of_registered_clients_registers_no_more()
    {
        await _as.Smcp.Database.SuperuserExecuteAsync("""
            INSERT INTO oauth_clients (tenant_id, client_id, kind, grant_types, auth_method)
            SELECT 'full', 'filler-' || i, 'registered', '{authorization_code}', 'none' FROM generate_series(1, 1000) AS i
            ON CONFLICT DO NOTHING
            """);

        using var response = await _as.PostRegisterAsync(Metadata("https://app.example/cb").ToJsonString(), "full");

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.BadRequest, "invalid_client_metadata");
    }

    [Test]
    public void Registrations_past_an_addresss_burst_wait()
    {
        using var limiter = new RegistrationLimiter(Options.Create(new OAuthServerOptions { RegistrationBurstPerClient = 2, RegistrationsPerClientPerSecond = 1 }));
        var client = IPAddress.Parse("203.0.113.7");

        Assert.That(limiter.TryAcquire(client), Is.Null);
        Assert.That(limiter.TryAcquire(client), Is.Null);
        Assert.That(limiter.TryAcquire(client), Is.Not.Null);
        Assert.That(limiter.TryAcquire(IPAddress.Parse("198.51.100.9")), Is.Null, "another address has its own budget");
    }
}

internal static class JsonObjectExtensions
{
    public static JsonObject Also(this JsonObject json, Action<JsonObject> change)
    {
        change(json);
        return json;
    }
}
