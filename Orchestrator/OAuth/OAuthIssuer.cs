namespace Smcp.Orchestrator.OAuth;

/// <summary>The tenant issuer a request to the authorization server is for.</summary>
/// <param name="BaseUrl">The public base URL, no trailing slash.</param>
/// <param name="Issuer"><c>{base}/oauth/{tenant}</c>.</param>
internal sealed record OAuthIssuer(string Tenant, string BaseUrl, string Issuer);
