using Microsoft.Extensions.Options;

namespace Smcp.Proxy.Limits;

/// <summary>
/// The budget of credential lookups that could reach the database, taken before the caller is known: a
/// token bucket per client address, then one for the whole process. A known-good credential (one the
/// validator remembers) never pays, so the budget only limits guessing and first uses of a key.
/// </summary>
/// <remarks>Clients are spread over <see cref="ProxyOptions.PreAuthClientBuckets"/> buckets (<see cref="ClientAddressLimiter"/>).</remarks>
public sealed class PreAuthLimiter(IOptions<ProxyOptions> options) : ClientAddressLimiter(
    new AddressBudget(options.Value.PreAuthPerClientPerSecond, TimeSpan.FromSeconds(1), options.Value.PreAuthPerClientBurst),
    new AddressBudget(options.Value.PreAuthGlobalPerSecond, TimeSpan.FromSeconds(1), options.Value.PreAuthGlobalBurst),
    options.Value.PreAuthClientBuckets);
