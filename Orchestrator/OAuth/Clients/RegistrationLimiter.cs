using Microsoft.Extensions.Options;
using Smcp.Proxy.Limits;

namespace Smcp.Orchestrator.OAuth.Clients;

/// <summary>The budget of <c>/register</c> calls: a token bucket per client address, then one for everyone, as the proxy's pre-authentication budget works.</summary>
/// <remarks>Its own budget, much smaller than the credential lookups': each registration writes a row.</remarks>
internal sealed class RegistrationLimiter(IOptions<OAuthServerOptions> options) : ClientAddressLimiter(
    new AddressBudget(options.Value.RegistrationsPerClientPerSecond, TimeSpan.FromSeconds(1), options.Value.RegistrationBurstPerClient),
    new AddressBudget(options.Value.RegistrationsPerSecond, TimeSpan.FromSeconds(1), options.Value.RegistrationBurst),
    4096);
