using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Smcp.Orchestrator.OAuth;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.Tests.OAuth.Server;

/// <summary>How clients discover a tenant's issuer: RFC 8414 metadata, OIDC discovery, and the issuer port the proxy checks tokens with.</summary>
public sealed class MetadataTests
{
    private AuthServerClient _as = null!;

    [OneTimeSetUp]
    public void Start() => _as = new AuthServerClient(OAuthHost.Smcp);

    private static string[] Strings(JsonNode? array) => array!.AsArray().Select(n => n!.GetValue<string>()).ToArray();

    [TestCase("/.well-known/oauth-authorization-server/oauth/acme")]
    [TestCase("/.well-known/openid-configuration/oauth/acme")]
    [TestCase("/oauth/acme/.well-known/openid-configuration")]
    public async Task Each_metadata_url_serves_the_tenant_issuers_document(string path)
    {
        using var http = _as.Smcp.Client();
        using var response = await http.GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var document = await AuthServerClient.JsonAsync(response);
        var issuer = _as.Issuer();

        Assert.That(document["issuer"]!.GetValue<string>(), Is.EqualTo(issuer));
        Assert.That(document["authorization_endpoint"]!.GetValue<string>(), Is.EqualTo(issuer + "/authorize"));
        Assert.That(document["token_endpoint"]!.GetValue<string>(), Is.EqualTo(issuer + "/token"));
        Assert.That(document["registration_endpoint"]!.GetValue<string>(), Is.EqualTo(issuer + "/register"));
        Assert.That(document["revocation_endpoint"]!.GetValue<string>(), Is.EqualTo(issuer + "/revoke"));
        Assert.That(document["jwks_uri"]!.GetValue<string>(), Is.EqualTo(_as.BaseUrl + "/oauth/jwks"));
        Assert.That(Strings(document["response_types_supported"]), Is.EqualTo(new[] { "code" }));
        Assert.That(Strings(document["response_modes_supported"]), Is.EqualTo(new[] { "query" }));
        Assert.That(Strings(document["grant_types_supported"]), Is.EquivalentTo(new[] { "authorization_code", "refresh_token", "client_credentials" }));
        Assert.That(Strings(document["code_challenge_methods_supported"]), Is.EqualTo(new[] { "S256" }));
        Assert.That(Strings(document["token_endpoint_auth_methods_supported"]), Is.EquivalentTo(new[] { "none", "client_secret_basic", "client_secret_post" }));
        Assert.That(Strings(document["revocation_endpoint_auth_methods_supported"]), Is.EquivalentTo(new[] { "none", "client_secret_basic", "client_secret_post" }));
        Assert.That(Strings(document["scopes_supported"]), Is.EquivalentTo(new[] { "mcp", "offline_access" }));
        Assert.That(document["authorization_response_iss_parameter_supported"]!.GetValue<bool>(), Is.True);
        Assert.That(document["client_id_metadata_document_supported"]!.GetValue<bool>(), Is.True);
        Assert.That(Strings(document["subject_types_supported"]), Is.EqualTo(new[] { "public" }));
        Assert.That(Strings(document["id_token_signing_alg_values_supported"]), Is.EqualTo(new[] { "ES256" }));
    }

    [TestCase("/.well-known/oauth-authorization-server/oauth/nobody")]
    [TestCase("/.well-known/openid-configuration/oauth/Not_A_Tenant")]
    [TestCase("/oauth/frozen/.well-known/openid-configuration")]
    public async Task An_unknown_malformed_or_suspended_tenant_has_no_metadata(string path)
    {
        using var http = _as.Smcp.Client();
        using var response = await http.GetAsync(path);

        await AuthServerClient.AssertErrorAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Test]
    public void The_built_in_issuer_is_trusted_for_its_own_active_tenant_only()
    {
        var issuers = _as.Smcp.Services.GetRequiredService<ITokenIssuers>();
        var trusted = issuers.Find(_as.Issuer(), "acme", _as.BaseUrl);

        Assert.That(trusted, Is.Not.Null);
        Assert.That(trusted!.TenantClaim, Is.EqualTo(OAuthNames.TenantClaim));
        Assert.That(trusted.Audience, Is.Null, "the audience is the MCP resource's own URL");
        Assert.That(trusted.Scopes, Is.EquivalentTo(new Dictionary<string, SmcpRole> { ["mcp"] = SmcpRole.TenantUser }));
        Assert.That(issuers.Find(_as.Issuer("beta"), "acme", _as.BaseUrl), Is.Null, "another tenant's issuer");
        Assert.That(issuers.Find(_as.Issuer("frozen"), "frozen", _as.BaseUrl), Is.Null, "a suspended tenant");
        Assert.That(issuers.Find(_as.Issuer("nobody"), "nobody", _as.BaseUrl), Is.Null, "no such tenant");
        Assert.That(issuers.Find("https://evil.example/oauth/acme", "acme", _as.BaseUrl), Is.Null);
        Assert.That(issuers.AuthorizationServers("acme", _as.BaseUrl), Is.EqualTo(new[] { _as.Issuer() }));
        Assert.That(issuers.AuthorizationServers("frozen", _as.BaseUrl), Is.Empty);
    }

    [Test]
    public async Task The_built_in_issuers_key_source_holds_the_key_a_token_names()
    {
        var service = await _as.AddServiceClientAsync();
        using var response = await _as.TokenAsync(new() { ["grant_type"] = "client_credentials", ["resource"] = _as.Resource() }, service);
        var token = (await AuthServerClient.JsonAsync(response))["access_token"]!.GetValue<string>();
        var (header, _) = await _as.DecodeAsync(token);
        var keys = _as.Smcp.Services.GetRequiredService<ITokenIssuers>().Find(_as.Issuer(), "acme", _as.BaseUrl)!.Keys;

        var jwk = await keys.FindAsync(header["kid"]!.GetValue<string>(), CancellationToken.None);
        Assert.That(JsonNode.Parse(jwk!)!["kid"]!.GetValue<string>(), Is.EqualTo(header["kid"]!.GetValue<string>()));
        Assert.That(await keys.FindAsync("no-such-key-id", CancellationToken.None), Is.Null);
    }
}
