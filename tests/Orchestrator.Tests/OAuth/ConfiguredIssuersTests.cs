using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.OAuth;
using Smcp.Orchestrator.Tests.Config;
using Smcp.Proxy.Auth;

namespace Smcp.Orchestrator.Tests.OAuth;

/// <summary>The external issuers of the live smcp.yaml: which tokens of theirs count where, and what a reload keeps.</summary>
public sealed class ConfiguredIssuersTests
{
    private const string Base = "https://smcp.example";

    private const string Yaml = """
        tenants:
          - id: acme
          - id: beta
        oauth:
          issuers:
            - { issuer: https://shared.example, tenantClaim: org }
            - { issuer: https://acme.example, tenant: acme, audience: api://acme }
        """;

    private string _directory = "";
    private string _path = "";

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Directory.CreateTempSubdirectory("smcp-issuers-").FullName;
        _path = Path.Combine(_directory, "smcp.yaml");
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void A_shared_issuer_is_found_for_every_tenant_and_a_bound_one_only_for_its_own()
    {
        using var monitor = Start(Yaml);
        using var issuers = new ConfiguredIssuers(monitor, TimeProvider.System, new CollectingLogger<RemoteJsonWebKeys>());

        Assert.That(issuers.Find("https://shared.example", "beta", Base)?.TenantClaim, Is.EqualTo("org"));
        Assert.That(issuers.Find("https://acme.example", "acme", Base)?.Audience, Is.EqualTo("api://acme"));
        Assert.That(issuers.Find("https://acme.example", "beta", Base), Is.Null);
        Assert.That(issuers.Find("https://shared.example/", "acme", Base), Is.Null, "iss is compared exactly");
        Assert.That(issuers.Find($"{Base}/oauth/acme", "acme", Base), Is.Null, "the built-in issuer is not this source's");
    }

    [Test]
    public void Each_tenant_is_told_the_issuers_that_serve_it_and_the_root_only_the_shared_ones()
    {
        using var monitor = Start(Yaml);
        using var issuers = new ConfiguredIssuers(monitor, TimeProvider.System, new CollectingLogger<RemoteJsonWebKeys>());

        Assert.That(issuers.AuthorizationServers("acme", Base), Is.EqualTo(new[] { "https://shared.example", "https://acme.example" }));
        Assert.That(issuers.AuthorizationServers("beta", Base), Is.EqualTo(new[] { "https://shared.example" }));
        Assert.That(issuers.SharedAuthorizationServers(Base), Is.EqualTo(new[] { "https://shared.example" }));
    }

    [Test]
    public async Task A_reload_keeps_the_key_source_of_an_unchanged_issuer_and_replaces_a_changed_one()
    {
        using var monitor = Start(Yaml);
        using var issuers = new ConfiguredIssuers(monitor, TimeProvider.System, new CollectingLogger<RemoteJsonWebKeys>());
        var shared = issuers.KeysOf("https://shared.example");
        var bound = issuers.KeysOf("https://acme.example");

        await File.WriteAllTextAsync(_path, Yaml.Replace("tenant: acme, audience", "tenant: acme, jwksUrl: https://acme.example/keys, audience", StringComparison.Ordinal)
            + "\n    - { issuer: https://new.example, tenant: beta }\n");
        await monitor.ReloadAsync(CancellationToken.None);

        Assert.That(monitor.Current.OAuth.Issuers, Has.Count.EqualTo(3), "the edit was applied");
        Assert.That(issuers.KeysOf("https://shared.example"), Is.SameAs(shared));
        Assert.That(issuers.KeysOf("https://acme.example"), Is.Not.SameAs(bound));
        Assert.That(issuers.KeysOf("https://acme.example")!.Options.JwksUrl, Is.EqualTo("https://acme.example/keys"));
        Assert.That(issuers.Find("https://new.example", "beta", Base), Is.Not.Null);
    }

    private ConfigMonitor Start(string yaml)
    {
        File.WriteAllText(_path, yaml);
        var initial = ConfigLoader.Load(_path, _ => null);
        Assert.That(initial.Errors, Is.Empty);
        return new ConfigMonitor(_path, initial, TimeProvider.System, new CollectingLogger<ConfigMonitor>(),
            new ConfigMonitorOptions { SettleDelay = TimeSpan.FromMilliseconds(20), WatchFileSystem = false, Environment = _ => null });
    }
}
