using Microsoft.Extensions.Logging.Abstractions;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.OAuth;

namespace Smcp.Orchestrator.Tests.OAuth;

/// <summary>How long a fetched answer is kept: by its HTTP headers within [minCache, maxCache], a refusal briefly.</summary>
public sealed class ClientMetadataCacheTests
{
    private MetadataDocumentServer _server = null!;
    private ManualTimeProvider _time = null!;
    private ConfigMonitor _monitor = null!;
    private ClientMetadataDocuments _documents = null!;

    [OneTimeSetUp]
    public async Task Start() => _server = await MetadataDocumentServer.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _server.DisposeAsync();

    [SetUp]
    public void CreateDocuments()
    {
        _time = new ManualTimeProvider();
        var config = new SmcpConfig
        {
            OAuth = new OAuthConfig
            {
                ClientMetadataDocuments = new ClientMetadataDocumentConfig
                {
                    AllowPrivateAddresses = true,
                    TrustedCertificatesFile = _server.CertificateFile,
                    MinCache = TimeSpan.FromMinutes(5),
                    MaxCache = TimeSpan.FromHours(1),
                },
            },
        };
        _monitor = new ConfigMonitor(Path.Combine(Path.GetTempPath(), "smcp-cimd-unused.yaml"), ConfigResult.Valid(config, ""), TimeProvider.System, NullLogger<ConfigMonitor>.Instance);
        _documents = new ClientMetadataDocuments(_monitor, _time, NullLogger<ClientMetadataDocuments>.Instance);
    }

    [TearDown]
    public void DisposeDocuments()
    {
        _documents.Dispose();
        _monitor.Dispose();
    }

    private async Task<int> HitsAfterAsync(string path, TimeSpan wait)
    {
        await _documents.FindAsync(_server.Url(path), CancellationToken.None);
        _time.Advance(wait);
        await _documents.FindAsync(_server.Url(path), CancellationToken.None);
        return _server.Hits(path);
    }

    private static string Unique(string prefix) => prefix + Guid.NewGuid().ToString("N")[..8];

    [Test]
    public async Task Max_age_is_honoured_within_the_bounds()
    {
        var path = Unique("/cache/max-age_1200/");
        Assert.That(await HitsAfterAsync(path, TimeSpan.FromMinutes(19)), Is.EqualTo(1));
        _time.Advance(TimeSpan.FromMinutes(2));
        await _documents.FindAsync(_server.Url(path), CancellationToken.None);
        Assert.That(_server.Hits(path), Is.EqualTo(2));
    }

    [Test]
    public async Task A_max_age_above_max_cache_is_cut_to_max_cache()
    {
        Assert.That(await HitsAfterAsync(Unique("/cache/max-age_999999/"), TimeSpan.FromMinutes(61)), Is.EqualTo(2));
    }

    [Test]
    public async Task No_store_is_kept_for_min_cache_only()
    {
        var path = Unique("/cache/no-store/");
        Assert.That(await HitsAfterAsync(path, TimeSpan.FromMinutes(4)), Is.EqualTo(1));
        _time.Advance(TimeSpan.FromMinutes(2));
        await _documents.FindAsync(_server.Url(path), CancellationToken.None);
        Assert.That(_server.Hits(path), Is.EqualTo(2));
    }

    [Test]
    public async Task A_refusal_is_kept_briefly_so_a_bad_url_is_not_fetched_per_request()
    {
        var path = Unique("/bad/");
        for (var i = 0; i < 5; i++)
        {
            Assert.That((await _documents.FindAsync(_server.Url(path), CancellationToken.None)).Client, Is.Null);
        }

        Assert.That(_server.Hits(path), Is.EqualTo(1));
        _time.Advance(ClientMetadataDocuments.FailureLifetime + TimeSpan.FromSeconds(1));
        await _documents.FindAsync(_server.Url(path), CancellationToken.None);
        Assert.That(_server.Hits(path), Is.EqualTo(2));
    }
}
