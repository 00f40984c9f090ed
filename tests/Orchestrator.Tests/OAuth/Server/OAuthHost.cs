using Smcp.Orchestrator.Tests.Support;

namespace Smcp.Orchestrator.Tests.OAuth.Server;

/// <summary>One smcp host for every authorization-server test in this namespace: starting one costs a database and a migration run.</summary>
/// <remarks>
/// Tests share it and stay apart by making their own clients and users. Every request comes from 127.0.0.1, so the
/// per-address budgets are raised for this host alone; the budgets themselves are tested without a host.
/// </remarks>
[SetUpFixture]
public sealed class OAuthHost
{
    private static SmcpServerFixture? _smcp;

    internal static SmcpServerFixture Smcp => _smcp ?? throw new InvalidOperationException("The OAuth host is not started.");

    [OneTimeSetUp]
    public async Task Start() => _smcp = await SmcpServerFixture.StartAsync("oauth", """
        tenants:
          - id: acme
          - id: beta
          - id: full
          - id: frozen
            status: suspended
        """,
        "--Proxy:PreAuthPerClientBurst=10000", "--Proxy:PreAuthPerClientPerSecond=10000",
        "--Proxy:PreAuthGlobalBurst=10000", "--Proxy:PreAuthGlobalPerSecond=10000",
        "--OAuthServer:RegistrationBurstPerClient=10000", "--OAuthServer:RegistrationsPerClientPerSecond=10000",
        "--OAuthServer:RegistrationBurst=10000", "--OAuthServer:RegistrationsPerSecond=10000",
        "--OAuthServer:UnknownKeyReloadFloor=00:00:01");

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_smcp is not null)
        {
            await _smcp.DisposeAsync();
        }
    }
}
