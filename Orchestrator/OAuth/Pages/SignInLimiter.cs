using Microsoft.Extensions.Options;
using Smcp.Proxy.Limits;

namespace Smcp.Orchestrator.OAuth.Pages;

/// <summary>The sign-in attempts a client address may make: a token bucket per address, before any password is hashed.</summary>
/// <remarks>
/// The per-account lockout stops guessing one account; this stops one address from trying many accounts
/// and from spending the host's CPU on password hashes. An IPv6 client counts by its /64.
/// </remarks>
internal sealed class SignInLimiter(IOptions<OAuthPagesOptions> options) : ClientAddressLimiter(
    new AddressBudget(1, TimeSpan.FromMinutes(1) / options.Value.SignInPerClientPerMinute, options.Value.SignInBurst),
    null,
    options.Value.ClientBuckets);
