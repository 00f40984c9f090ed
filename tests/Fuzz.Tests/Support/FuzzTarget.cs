using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Smcp.Orchestrator.Auth;
using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Fuzz.Tests.Support;

/// <summary>The whole smcp host on loopback, its own database, the conformance server deployed in a real sandbox, and the keys the fuzzer holds.</summary>
/// <remarks>
/// The fuzz run sends every request from 127.0.0.1 as fast as it can, so the per-address budgets (pre-authentication,
/// registration) and the tenant's request rate are raised for this host alone: otherwise nearly every reply would be
/// the same 429 and the paths behind the limits would not be fuzzed. Session starts stay limited (20 a minute) and
/// requests last at most 5 s, so the few well-formed <c>initialize</c>s and never-answered requests cannot hold the run up.
/// </remarks>
internal sealed class FuzzTarget : IAsyncDisposable
{
    public const string Tenant = "acme";
    public const string OtherTenant = "beta";
    public const string SuspendedTenant = "frozen";
    public const string Server = "notes";

    private FuzzTarget(SmcpServerFixture smcp, string mcpKey, string apiKey)
    {
        Smcp = smcp;
        McpKey = mcpKey;
        ApiKey = apiKey;
        Sessions = new SessionPool(this);
    }

    public SmcpServerFixture Smcp { get; }

    public Uri BaseAddress => Smcp.BaseAddress;

    /// <summary>A tenant-user key of <see cref="Tenant"/>: MCP only.</summary>
    public string McpKey { get; }

    /// <summary>A tenant-admin key of <see cref="OtherTenant"/>, which has no server to lose.</summary>
    public string ApiKey { get; }

    /// <summary>Shaped like a real key of <see cref="Tenant"/>, never issued.</summary>
    public string ForgedKey { get; } = ApiKeyFormat.Prefix + Tenant + "_" + new string('Q', 43);

    public SessionPool Sessions { get; }

    public static async Task<FuzzTarget> StartAsync()
    {
        var smcp = await SmcpServerFixture.StartAsync("fuzz", $"""
            tenants:
              - id: {Tenant}
                quotas: {"{"} requestsPerMinute: 100000000, sessionStartsPerMinute: 20, maxSessions: 4, reclaimIdleAfter: 1s, warmPoolSize: 1 {"}"}
              - id: {OtherTenant}
                quotas: {"{"} requestsPerMinute: 100000000 {"}"}
              - id: {SuspendedTenant}
                status: suspended
            """,
            "--Proxy:PreAuthPerClientBurst=1000000", "--Proxy:PreAuthPerClientPerSecond=1000000",
            "--Proxy:PreAuthGlobalBurst=1000000", "--Proxy:PreAuthGlobalPerSecond=1000000",
            "--OAuthServer:RegistrationBurstPerClient=1000000", "--OAuthServer:RegistrationsPerClientPerSecond=1000000",
            "--OAuthServer:RegistrationBurst=1000000", "--OAuthServer:RegistrationsPerSecond=1000000",
            "--Proxy:MaxRequestDuration=00:00:05", "--Proxy:ReclaimWait=00:00:02");
        using var admin = smcp.Client(SmcpServerFixture.AdminKey);
        var mcpKey = await SmcpServerFixture.DeployAsync(admin, "smcp-test/conformance:test", Tenant, Server);
        var created = await admin.PostAsJsonAsync($"/v1/tenants/{OtherTenant}/keys", new { name = "fuzz", role = "tenant-admin" });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var apiKey = (await created.Content.ReadFromJsonAsync<JsonObject>())!["key"]!.GetValue<string>();
        return new FuzzTarget(smcp, mcpKey, apiKey);
    }

    public ValueTask DisposeAsync() => Smcp.DisposeAsync();
}
