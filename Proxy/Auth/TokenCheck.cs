using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Auth;

/// <summary>The outcome of <see cref="AccessTokenValidator.ValidateAsync"/>.</summary>
/// <param name="Principal">The caller when <see cref="Outcome"/> is <see cref="TokenOutcome.Valid"/>.</param>
/// <param name="Reason">Why it was refused, for the log only: it never holds the token or a key.</param>
internal readonly record struct TokenCheck(TokenOutcome Outcome, SmcpPrincipal? Principal, string? Reason)
{
    public static TokenCheck Valid(SmcpPrincipal principal) => new(TokenOutcome.Valid, principal, null);

    public static TokenCheck Invalid(string reason) => new(TokenOutcome.Invalid, null, reason);

    public static TokenCheck InsufficientScope(string reason) => new(TokenOutcome.InsufficientScope, null, reason);
}
