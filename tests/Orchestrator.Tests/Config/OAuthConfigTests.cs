using Smcp.Orchestrator.Config;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Tests.Config;

/// <summary>smcp.yaml's <c>oauth:</c>: every key read as written, every mistake reported with its place.</summary>
public sealed class OAuthConfigTests
{
    private const string Tenants = """
        tenants:
          - id: acme
          - id: beta
        """;

    private static SmcpConfig Valid(string yaml)
    {
        var result = ConfigLoader.Parse(yaml, "smcp.yaml", _ => null);
        Assert.That(result.Errors.Select(e => e.ToString()), Is.Empty, "the file should have been valid");
        return result.Config!;
    }

    private static string[] Errors(string oauth)
    {
        var result = ConfigLoader.Parse(Tenants + "\n" + oauth, "smcp.yaml", _ => null);
        Assert.That(result.IsValid, Is.False, "the file should have been refused");
        return [.. result.Errors.Select(e => e.ToString())];
    }

    [Test]
    public void Without_an_oauth_section_the_built_in_server_is_on_with_the_documented_defaults()
    {
        var oauth = Valid(Tenants).OAuth;

        Assert.That(oauth, Is.EqualTo(new OAuthConfig()));
        Assert.That((oauth.BuiltIn, oauth.AccessTokenLifetime, oauth.RefreshTokenLifetime, oauth.CodeLifetime, oauth.LockoutThreshold, oauth.LockoutDuration),
            Is.EqualTo((true, TimeSpan.FromHours(1), TimeSpan.FromDays(30), TimeSpan.FromMinutes(1), 5, TimeSpan.FromMinutes(15))));
        Assert.That(oauth.Issuers, Is.Empty);
    }

    [Test]
    public void Every_key_is_read_as_written()
    {
        var certificates = Path.GetTempFileName();
        try
        {
            var oauth = Valid(Tenants + $$"""

                oauth:
                  builtIn: false
                  accessTokenLifetime: 15m
                  refreshTokenLifetime: 7d
                  codeLifetime: 30s
                  lockoutThreshold: 3
                  lockoutDuration: 1h
                  clientMetadataDocuments:
                    enabled: false
                    allowPrivateAddresses: true
                    trustedCertificatesFile: {{certificates}}
                    maxBytes: 32Ki
                    timeout: 2s
                    minCache: 1m
                    maxCache: 2h
                  issuers:
                    - issuer: https://login.example.com/realms/acme
                      jwksUrl: https://login.example.com/realms/acme/certs
                      audience: api://smcp
                      tenant: acme
                      scopes: { mcp.use: tenant-user, mcp.admin: tenant-admin, mcp.read: read-only }
                    - issuer: http://127.0.0.1:4000
                      tenantClaim: org
                      allowHttp: true
                """).OAuth;

            Assert.That((oauth.BuiltIn, oauth.AccessTokenLifetime, oauth.RefreshTokenLifetime, oauth.CodeLifetime, oauth.LockoutThreshold, oauth.LockoutDuration),
                Is.EqualTo((false, TimeSpan.FromMinutes(15), TimeSpan.FromDays(7), TimeSpan.FromSeconds(30), 3, TimeSpan.FromHours(1))));
            Assert.That(oauth.ClientMetadataDocuments, Is.EqualTo(new ClientMetadataDocumentConfig
            {
                Enabled = false, AllowPrivateAddresses = true, TrustedCertificatesFile = certificates, MaxBytes = 32 * 1024,
                Timeout = TimeSpan.FromSeconds(2), MinCache = TimeSpan.FromMinutes(1), MaxCache = TimeSpan.FromHours(2),
            }));
            var bound = oauth.Issuers[0];
            Assert.That((bound.Issuer, bound.JwksUrl, bound.Audience, bound.Tenant, bound.TenantClaim, bound.AllowHttp),
                Is.EqualTo(("https://login.example.com/realms/acme", "https://login.example.com/realms/acme/certs", "api://smcp", "acme", (string?)null, false)));
            Assert.That(bound.Scopes, Is.EqualTo(new Dictionary<string, SmcpRole>
            {
                ["mcp.use"] = SmcpRole.TenantUser, ["mcp.admin"] = SmcpRole.TenantAdmin, ["mcp.read"] = SmcpRole.ReadOnly,
            }));
            var shared = oauth.Issuers[1];
            Assert.That((shared.Issuer, shared.JwksUrl, shared.Audience, shared.Tenant, shared.TenantClaim, shared.AllowHttp),
                Is.EqualTo(("http://127.0.0.1:4000", (string?)null, (string?)null, (string?)null, "org", true)));
            Assert.That(shared.Scopes, Is.EqualTo(new Dictionary<string, SmcpRole> { ["mcp"] = SmcpRole.TenantUser }));
        }
        finally
        {
            File.Delete(certificates);
        }
    }

    [Test]
    public void An_unknown_key_is_reported_with_the_closest_allowed_one()
    {
        Assert.That(Errors("oauth: { accessTokenLifetim: 1h }"), Is.EqualTo(new[]
        {
            "smcp.yaml:4:10: oauth.accessTokenLifetim: unknown key (did you mean 'accessTokenLifetime'?); allowed: builtIn, accessTokenLifetime, refreshTokenLifetime, codeLifetime, lockoutThreshold, lockoutDuration, clientMetadataDocuments, issuers",
        }));
    }

    [Test]
    public void Lifetimes_out_of_range_are_reported_with_the_range()
    {
        Assert.That(Errors("oauth: { accessTokenLifetime: 30s, codeLifetime: 1h, lockoutThreshold: 0, lockoutDuration: 8d }"), Is.EqualTo(new[]
        {
            "smcp.yaml:4:31: oauth.accessTokenLifetime: 30s is out of range; use from 1m to 1d",
            "smcp.yaml:4:50: oauth.codeLifetime: 1h is out of range; use from 10s to 10m",
            "smcp.yaml:4:72: oauth.lockoutThreshold: 0 is too small; use at least 1",
            "smcp.yaml:4:92: oauth.lockoutDuration: 8d is out of range; use from 1m to 7d",
        }));
    }

    [Test]
    public void A_refresh_token_lifetime_shorter_than_the_access_tokens_is_refused()
    {
        Assert.That(Errors("oauth: { accessTokenLifetime: 12h, refreshTokenLifetime: 2h }"), Is.EqualTo(new[]
        {
            "smcp.yaml:4:58: oauth.refreshTokenLifetime: 2h is shorter than accessTokenLifetime (12h); a refresh token must outlive the access token it renews",
        }));
    }

    [Test]
    public void A_boolean_that_is_not_true_or_false_is_reported()
    {
        Assert.That(Errors("oauth: { builtIn: yes }"), Is.EqualTo(new[] { "smcp.yaml:4:19: oauth.builtIn: 'yes' is not true or false; allowed: true, false" }));
    }

    [Test]
    public void Client_metadata_document_limits_out_of_range_are_reported()
    {
        Assert.That(Errors("oauth: { clientMetadataDocuments: { maxBytes: 2Mi, timeout: 1m, minCache: 3h, maxCache: 2h, trustedCertificatesFile: /no/such.pem } }"), Is.EqualTo(new[]
        {
            "smcp.yaml:4:47: oauth.clientMetadataDocuments.maxBytes: 2Mi is too large; use at most 1Mi",
            "smcp.yaml:4:61: oauth.clientMetadataDocuments.timeout: 1m is out of range; use from 1s to 30s",
            "smcp.yaml:4:75: oauth.clientMetadataDocuments.minCache: 3h is longer than maxCache (2h)",
            "smcp.yaml:4:118: oauth.clientMetadataDocuments.trustedCertificatesFile: '/no/such.pem' is not a file; give the path of a PEM file of root certificates, or leave it out",
        }));
    }

    [Test]
    public void An_issuer_must_be_an_absolute_https_url()
    {
        Assert.That(Errors("""
            oauth:
              issuers:
                - { issuer: http://login.example.com, tenant: acme }
                - { issuer: login.example.com, tenant: acme }
                - { issuer: "https://login.example.com/?x=1", tenant: acme }
                - { tenant: acme }
            """), Is.EqualTo(new[]
        {
            "smcp.yaml:6:17: oauth.issuers[0].issuer: 'http://login.example.com' is plain http; use https, or set allowHttp: true (loopback test setups only)",
            "smcp.yaml:7:17: oauth.issuers[1].issuer: 'login.example.com' is not an absolute https URL without user info, query or fragment",
            "smcp.yaml:8:17: oauth.issuers[2].issuer: 'https://login.example.com/?x=1' is not an absolute https URL without user info, query or fragment",
            "smcp.yaml:9:7: oauth.issuers[3]: issuer is required: the exact iss of the tokens, e.g. issuer: https://login.example.com/realms/acme",
        }));
    }

    [Test]
    public void A_jwks_url_over_plain_http_needs_allow_http()
    {
        Assert.That(Errors("oauth: { issuers: [ { issuer: https://a.example, jwksUrl: http://a.example/keys, tenant: acme } ] }"), Is.EqualTo(new[]
        {
            "smcp.yaml:4:59: oauth.issuers[0].jwksUrl: 'http://a.example/keys' is plain http; use https, or set allowHttp: true (loopback test setups only)",
        }));
    }

    [Test]
    public void An_issuer_needs_exactly_one_of_tenant_claim_and_tenant()
    {
        Assert.That(Errors("""
            oauth:
              issuers:
                - { issuer: https://a.example }
                - { issuer: https://b.example, tenant: acme, tenantClaim: org }
            """), Is.EqualTo(new[]
        {
            "smcp.yaml:6:7: oauth.issuers[0]: give exactly one of tenantClaim (the claim that names the tenant in each token) and tenant (the one tenant of all its tokens)",
            "smcp.yaml:7:7: oauth.issuers[1]: give exactly one of tenantClaim (the claim that names the tenant in each token) and tenant (the one tenant of all its tokens)",
        }));
    }

    [Test]
    public void An_issuers_tenant_must_be_a_tenant_of_the_file()
    {
        Assert.That(Errors("oauth: { issuers: [ { issuer: https://a.example, tenant: acmee } ] }"), Is.EqualTo(new[]
        {
            "smcp.yaml:4:58: oauth.issuers[0].tenant: 'acmee' is not a tenant of this file (did you mean 'acme'?); tenants: acme, beta",
        }));
    }

    [Test]
    public void A_scope_must_map_to_a_tenant_role()
    {
        Assert.That(Errors("oauth: { issuers: [ { issuer: https://a.example, tenant: acme, scopes: { mcp: tenant-usr, root: platform-admin } } ] }"), Is.EqualTo(new[]
        {
            "smcp.yaml:4:79: oauth.issuers[0].scopes.mcp: 'tenant-usr' is not a role (did you mean 'tenant-user'?); allowed: tenant-user, tenant-admin, read-only",
            "smcp.yaml:4:97: oauth.issuers[0].scopes.root: 'platform-admin' is not a role; allowed: tenant-user, tenant-admin, read-only",
        }));
    }

    [Test]
    public void An_empty_scope_mapping_is_refused()
    {
        Assert.That(Errors("oauth: { issuers: [ { issuer: https://a.example, tenant: acme, scopes: {} } ] }"), Is.EqualTo(new[]
        {
            "smcp.yaml:4:72: oauth.issuers[0].scopes: map 1 to 50 scopes to roles, e.g. { mcp: tenant-user }; a token needs one of them",
        }));
    }

    [Test]
    public void A_duplicate_issuer_is_reported_at_the_second_one()
    {
        Assert.That(Errors("""
            oauth:
              issuers:
                - { issuer: https://a.example, tenant: acme }
                - { issuer: https://a.example, tenant: beta }
            """), Is.EqualTo(new[]
        {
            "smcp.yaml:7:17: oauth.issuers[1].issuer: duplicate issuer 'https://a.example'; it is first listed at line 6",
        }));
    }
}
