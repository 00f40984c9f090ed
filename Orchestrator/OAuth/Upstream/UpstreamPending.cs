using Smcp.Orchestrator.OAuth.Pages;

namespace Smcp.Orchestrator.OAuth.Upstream;

/// <summary>A sign-in sent to the tenant's upstream provider, sealed into the browser's cookie until the provider sends the person back.</summary>
/// <param name="Request">The client's authorization request the sign-in is for.</param>
/// <param name="Issuer">The provider it was sent to: a callback after the tenant changed provider is refused.</param>
/// <param name="ClientId">SMCP's client at that provider.</param>
/// <param name="State">The <c>state</c> sent to the provider; the callback must bring it back.</param>
/// <param name="Nonce">The <c>nonce</c> sent; the ID token must carry it.</param>
/// <param name="CodeVerifier">The PKCE verifier of the code the provider returns.</param>
/// <param name="RedirectUri">The callback URL the provider was given.</param>
internal sealed record UpstreamPending(
    AuthorizationRequest Request, string Issuer, string ClientId, string State, string Nonce, string CodeVerifier, string RedirectUri);
