using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.OAuth;

namespace Smcp.Orchestrator.Tests.OAuth;

/// <summary>Client ID metadata documents fetched from a real HTTPS server on loopback, good and hostile.</summary>
public sealed class ClientMetadataDocumentsTests
{
    private MetadataDocumentServer _server = null!;
    private readonly List<IDisposable> _owned = [];

    [OneTimeSetUp]
    public async Task Start() => _server = await MetadataDocumentServer.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    [TearDown]
    public void DisposeOwned()
    {
        _owned.ForEach(o => o.Dispose());
        _owned.Clear();
    }

    // The test server is on 127.0.0.1, so the SSRF guard is off unless a test turns it on.
    private ClientMetadataDocuments Documents(Func<ClientMetadataDocumentConfig, ClientMetadataDocumentConfig>? change = null, TimeProvider? time = null)
    {
        var options = new ClientMetadataDocumentConfig
        {
            AllowPrivateAddresses = true,
            TrustedCertificatesFile = _server.CertificateFile,
            MaxBytes = 4096,
            Timeout = TimeSpan.FromSeconds(5),
        };
        var config = new SmcpConfig { OAuth = new OAuthConfig { ClientMetadataDocuments = change is null ? options : change(options) } };
        var monitor = new ConfigMonitor(Path.Combine(Path.GetTempPath(), "smcp-cimd-unused.yaml"), ConfigResult.Valid(config, ""), TimeProvider.System, NullLogger<ConfigMonitor>.Instance);
        var documents = new ClientMetadataDocuments(monitor, time ?? TimeProvider.System, NullLogger<ClientMetadataDocuments>.Instance);
        _owned.Add(documents);
        _owned.Add(monitor);
        return documents;
    }

    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    private async Task<string> RefusedAsync(string path, Func<ClientMetadataDocumentConfig, ClientMetadataDocumentConfig>? change = null)
    {
        var lookup = await Documents(change).FindAsync(_server.Url(path), CancellationToken.None);
        Assert.That(lookup.Client, Is.Null, "the document must be refused");
        Assert.That(lookup.Error, Is.Not.Null.And.Not.Empty);
        Assert.That(lookup.Error, Does.Not.Contain(_server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)).And.Not.Contain("Exception"), "a refusal names no address and no exception");
        return lookup.Error!;
    }

    [Test]
    public async Task A_good_document_becomes_a_public_client_with_its_redirect_uris()
    {
        var url = _server.Url(Unique("/good/"));
        var lookup = await Documents().FindAsync(url, CancellationToken.None);

        Assert.That(lookup.Error, Is.Null);
        var client = lookup.Client!;
        Assert.That(client.ClientId, Is.EqualTo(url));
        Assert.That(client.Kind, Is.EqualTo(OAuthClientKind.MetadataDocument));
        Assert.That(client.Name, Is.EqualTo("Test client"));
        Assert.That(client.RedirectUris, Is.EqualTo(new[] { MetadataDocumentServer.RedirectUri, "https://app.example/callback" }));
        Assert.That(client.GrantTypes, Is.EqualTo(new[] { OAuthNames.AuthorizationCodeGrant, OAuthNames.RefreshTokenGrant }));
        Assert.That(client.AuthMethod, Is.EqualTo("none"));
        Assert.That(client.SecretHash, Is.Null);
    }

    [Test]
    public async Task A_document_is_fetched_once_and_then_served_from_the_cache()
    {
        var path = Unique("/good/");
        var documents = Documents();
        for (var i = 0; i < 5; i++)
        {
            Assert.That((await documents.FindAsync(_server.Url(path), CancellationToken.None)).Client, Is.Not.Null);
        }

        Assert.That(_server.Hits(path), Is.EqualTo(1));
    }

    [Test]
    public async Task Concurrent_lookups_of_one_url_share_one_fetch()
    {
        var path = Unique("/slow/300/");
        var documents = Documents();
        var lookups = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => documents.FindAsync(_server.Url(path), CancellationToken.None)));

        Assert.That(lookups.Select(l => l.Client is not null), Is.All.True);
        Assert.That(_server.Hits(path), Is.EqualTo(1));
    }

    [Test]
    public async Task A_caller_that_gives_up_does_not_cancel_the_fetch_others_wait_for()
    {
        var path = Unique("/slow/300/");
        var documents = Documents();
        using var impatient = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var first = documents.FindAsync(_server.Url(path), impatient.Token);
        var second = documents.FindAsync(_server.Url(path), CancellationToken.None);

        Assert.That(async () => await first, Throws.InstanceOf<OperationCanceledException>());
        Assert.That((await second).Client, Is.Not.Null);
        Assert.That(_server.Hits(path), Is.EqualTo(1));
    }

    [Test]
    public async Task A_content_length_over_the_limit_is_refused_before_the_body_is_read()
    {
        Assert.That(await RefusedAsync("/length"), Does.Contain("larger than 4096 bytes"));
    }

    [Test]
    public async Task A_chunked_body_is_cut_off_at_the_limit()
    {
        Assert.That(await RefusedAsync("/chunked"), Does.Contain("larger than 4096 bytes"));
    }

    [Test]
    public async Task A_server_slower_than_the_timeout_is_refused_within_about_the_timeout()
    {
        var watch = Stopwatch.StartNew();
        var error = await RefusedAsync(Unique("/slow/10000/"), o => o with { Timeout = TimeSpan.FromMilliseconds(500) });

        Assert.That(error, Does.Contain("within 0.5 s"));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public async Task A_redirect_is_refused_and_not_followed()
    {
        Assert.That(await RefusedAsync("/redirect"), Does.Contain("redirect"));
        Assert.That(_server.Hits("/good/redirected"), Is.Zero);
    }

    [Test]
    public async Task A_document_whose_client_id_is_another_url_is_refused()
    {
        Assert.That(await RefusedAsync("/mismatch"), Does.Contain("client_id other than its own URL"));
    }

    [Test]
    public async Task A_second_client_id_in_the_document_is_refused()
    {
        Assert.That(await RefusedAsync("/duplicate"), Does.Contain("not a JSON object"));
    }

    [TestCase("plain-http")]
    [TestCase("fragment")]
    [TestCase("userinfo")]
    [TestCase("relative")]
    [TestCase("empty")]
    [TestCase("not-an-array")]
    public async Task Bad_redirect_uris_are_refused(string kind)
    {
        Assert.That(await RefusedAsync("/redirect-uri/" + kind), Does.Contain("redirect_uris"));
    }

    [Test]
    public async Task A_document_without_redirect_uris_is_refused()
    {
        Assert.That(await RefusedAsync("/no-redirect-uris"), Does.Contain("needs redirect_uris"));
    }

    [Test]
    public async Task Private_key_jwt_is_refused_as_not_supported()
    {
        Assert.That(await RefusedAsync("/private-key-jwt"), Does.Contain("private_key_jwt is not supported"));
    }

    [Test]
    public async Task A_document_with_a_client_secret_is_refused()
    {
        Assert.That(await RefusedAsync("/client-secret"), Does.Contain("client_secret"));
    }

    [Test]
    public async Task A_body_that_is_not_json_is_refused()
    {
        Assert.That(await RefusedAsync("/not-json"), Does.Contain("not a JSON object"));
    }

    [Test]
    public async Task Json_nested_deeper_than_the_limit_is_refused()
    {
        Assert.That(await RefusedAsync("/deep"), Does.Contain("nested more than 16 levels"));
    }

    [Test]
    public async Task A_status_other_than_200_is_refused()
    {
        Assert.That(await RefusedAsync("/missing"), Does.Contain("HTTP 404"));
    }

    [Test]
    public async Task A_certificate_outside_the_trusted_roots_is_refused()
    {
        Assert.That(await RefusedAsync(Unique("/good/"), o => o with { TrustedCertificatesFile = null }), Does.Contain("TLS certificate"));
    }

    [Test]
    public async Task A_disabled_feature_refuses_without_fetching()
    {
        var path = Unique("/good/");
        Assert.That(await RefusedAsync(path, o => o with { Enabled = false }), Does.Contain("does not accept client ID metadata documents"));
        Assert.That(_server.Hits(path), Is.Zero);
    }

    [TestCase("127.0.0.1")]
    [TestCase("localhost")]
    [TestCase("[::ffff:127.0.0.1]")]
    [TestCase("2130706433")]
    public async Task A_document_on_a_private_address_is_refused_before_any_byte_is_sent(string host)
    {
        var path = Unique("/good/");
        var connections = _server.Connections;
        var documents = Documents(o => o with { AllowPrivateAddresses = false });
        var lookup = await documents.FindAsync(_server.Url(path, host), CancellationToken.None);

        Assert.That(lookup.Client, Is.Null);
        Assert.That(lookup.Error, Does.Contain("non-public address").And.Not.Contain("127.0.0.1"));
        Assert.That(_server.Connections, Is.EqualTo(connections), "not even a TCP connection reached the server");
        Assert.That(_server.Hits(path), Is.Zero);
    }

    [Test]
    public async Task Each_fetch_opens_its_own_connection_so_none_outlives_a_change_of_settings()
    {
        var documents = Documents();
        var before = _server.Connections;
        Assert.That((await documents.FindAsync(_server.Url(Unique("/good/")), CancellationToken.None)).Client, Is.Not.Null);
        Assert.That((await documents.FindAsync(_server.Url(Unique("/good/")), CancellationToken.None)).Client, Is.Not.Null);

        Assert.That(_server.Connections - before, Is.EqualTo(2));
    }
}
