using System.Net;
using Microsoft.Extensions.Options;
using Smcp.Proxy;
using Smcp.Proxy.Limits;

namespace Smcp.Orchestrator.OAuth.Clients;

/// <summary>The budget of <c>/register</c> calls: a token bucket per client address, then one for everyone, as the proxy's pre-authentication budget works.</summary>
/// <remarks>Its own budget, much smaller than the credential lookups': each registration writes a row.</remarks>
internal sealed class RegistrationLimiter(IOptions<OAuthServerOptions> options) : IDisposable
{
    private readonly PreAuthLimiter _limiter = new(Options.Create(new ProxyOptions
    {
        PreAuthPerClientPerSecond = options.Value.RegistrationsPerClientPerSecond,
        PreAuthPerClientBurst = options.Value.RegistrationBurstPerClient,
        PreAuthGlobalPerSecond = options.Value.RegistrationsPerSecond,
        PreAuthGlobalBurst = options.Value.RegistrationBurst,
    }));

    /// <summary>Null when the registration may go ahead, else how long to wait.</summary>
    public TimeSpan? TryAcquire(IPAddress? client) => _limiter.TryAcquire(client);

    public void Dispose() => _limiter.Dispose();
}
