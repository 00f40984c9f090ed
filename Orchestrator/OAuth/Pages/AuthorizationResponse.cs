using Microsoft.AspNetCore.WebUtilities;

namespace Smcp.Orchestrator.OAuth.Pages;

/// <summary>The redirect back to the client: its registered URI with the response parameters added to any query it has.</summary>
/// <remarks><c>iss</c> is always there (RFC 9207), so a client talking to several issuers can tell whose answer this is (mix-up attacks).</remarks>
internal static class AuthorizationResponse
{
    public static string Code(string redirectUri, string code, string? state, string issuer) =>
        Build(redirectUri, [new("code", code), new("state", state), new("iss", issuer)]);

    public static string Error(string redirectUri, string error, string description, string? state, string issuer) =>
        Build(redirectUri, [new("error", error), new("error_description", description), new("state", state), new("iss", issuer)]);

    private static string Build(string redirectUri, KeyValuePair<string, string?>[] parameters) =>
        QueryHelpers.AddQueryString(redirectUri, parameters.Where(p => p.Value is not null));
}
