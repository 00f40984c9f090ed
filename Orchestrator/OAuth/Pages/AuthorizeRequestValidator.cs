using System.Text.RegularExpressions;
using Microsoft.Extensions.Primitives;
using Smcp.Orchestrator.Auth;
using Smcp.Proxy.Ports;

namespace Smcp.Orchestrator.OAuth.Pages;

/// <summary>Checks an authorization request's parameters, in the order that keeps every error from becoming an open redirect.</summary>
/// <remarks>
/// The client and its exact redirect URI come first: until both are established an error is shown, not
/// sent anywhere. After that errors go back to the client (RFC 6749 section 4.1.2.1) with its state.
/// </remarks>
internal sealed partial class AuthorizeRequestValidator(ClientDirectory clients)
{
    public const int MaxClientIdLength = 2048;
    public const int MaxRedirectUriLength = 2048;
    public const int MaxStateLength = 1024;
    public const int MaxResourceLength = 2048;
    public const int MaxScopeLength = 512;

    public async Task<AuthorizeValidation> ValidateAsync(string tenant, string baseUrl, IQueryCollection query, CancellationToken cancellationToken)
    {
        if (Single(query, "client_id", MaxClientIdLength) is not { Length: > 0 } clientId)
        {
            return AuthorizeValidation.Show("The request names no client: client_id is missing, repeated or too long.");
        }

        var lookup = await clients.FindAsync(tenant, clientId, cancellationToken);
        if (lookup.Client is not { } client)
        {
            return AuthorizeValidation.Show(lookup.Error ?? "The client_id is not known to this issuer.");
        }

        if (Single(query, "redirect_uri", MaxRedirectUriLength) is not { Length: > 0 } redirectUri)
        {
            return AuthorizeValidation.Show("The request names no redirect_uri (or repeats it); it must be one the client registered.");
        }

        if (!client.RedirectUris.Contains(redirectUri, StringComparer.Ordinal))
        {
            return AuthorizeValidation.Show("The redirect_uri is not one this client registered; nothing was sent to it.");
        }

        if (!TryGet(query, "state", MaxStateLength, out var state))
        {
            return AuthorizeValidation.Redirect(redirectUri, null, OAuthNames.InvalidRequest, $"state is repeated or longer than {MaxStateLength} characters.");
        }

        var refusal = Refusal(query, tenant, baseUrl, client, out var resource, out var scope, out var challenge);
        if (refusal is { } refused)
        {
            return AuthorizeValidation.Redirect(redirectUri, state, refused.Error, refused.Description);
        }

        return AuthorizeValidation.Valid(
            new AuthorizationRequest { ClientId = clientId, RedirectUri = redirectUri, CodeChallenge = challenge!, Resource = resource!, Scope = scope!, State = state },
            client);
    }

    /// <summary>Whether <paramref name="resource"/> is exactly the URL of one of this tenant's MCP endpoints (the server need not be deployed yet).</summary>
    public static bool IsTenantResource(string resource, string baseUrl, string tenant)
    {
        var prefix = $"{baseUrl}/t/{Uri.EscapeDataString(tenant)}/";
        const string suffix = "/mcp";
        if (resource.Length <= prefix.Length + suffix.Length || !resource.StartsWith(prefix, StringComparison.Ordinal) || !resource.EndsWith(suffix, StringComparison.Ordinal))
        {
            return false;
        }

        var server = resource[prefix.Length..^suffix.Length];
        return TenantId.IsValid(server) && PublicUrls.McpResource(baseUrl, tenant, server) == resource;
    }

    private static (string Error, string Description)? Refusal(
        IQueryCollection query, string tenant, string baseUrl, OAuthClient client, out string? resource, out string? scope, out string? challenge)
    {
        resource = scope = challenge = null;
        if (query.Any(parameter => parameter.Value.Count > 1))
        {
            return (OAuthNames.InvalidRequest, "A parameter is repeated.");
        }

        if (Single(query, "response_type", 64) is not { } responseType)
        {
            return (OAuthNames.InvalidRequest, "response_type is missing; it must be code.");
        }

        if (responseType != "code")
        {
            return (OAuthNames.UnsupportedResponseType, "Only response_type=code is supported.");
        }

        if (Single(query, "code_challenge_method", 16) != "S256")
        {
            return (OAuthNames.InvalidRequest, "PKCE is required with code_challenge_method=S256 (plain is refused).");
        }

        challenge = Single(query, "code_challenge", 64);
        if (challenge is null || !CodeChallenge().IsMatch(challenge))
        {
            return (OAuthNames.InvalidRequest, "code_challenge must be BASE64URL(SHA-256(code_verifier)): 43 characters.");
        }

        resource = Single(query, "resource", MaxResourceLength);
        if (resource is null || !IsTenantResource(resource, baseUrl, tenant))
        {
            return (OAuthNames.InvalidTarget, $"resource must be one of this tenant's MCP endpoints, {baseUrl}/t/{tenant}/<server>/mcp.");
        }

        if (!TryGet(query, "scope", MaxScopeLength, out var requested))
        {
            return (OAuthNames.InvalidScope, "scope is too long.");
        }

        scope = GrantedScope(requested, client);
        if (scope is null)
        {
            return (OAuthNames.InvalidScope, $"Supported scopes: {OAuthNames.McpScope} (and {OAuthNames.OfflineAccessScope}, always granted).");
        }

        if (!client.GrantTypes.Contains(OAuthNames.AuthorizationCodeGrant, StringComparer.Ordinal))
        {
            return (OAuthNames.UnauthorizedClient, "This client may not use the authorization code grant.");
        }

        return null;
    }

    // offline_access is accepted and dropped (every code grant comes with a refresh token); mcp is the one scope
    // that grants anything, so it is what is granted. Anything else, openid included (no ID tokens here), is refused.
    private static string? GrantedScope(string? requested, OAuthClient client)
    {
        var scopes = (requested ?? OAuthNames.McpScope).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var allowed = client.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return scopes.All(s => s is OAuthNames.McpScope or OAuthNames.OfflineAccessScope) && allowed.Contains(OAuthNames.McpScope, StringComparer.Ordinal)
            ? OAuthNames.McpScope
            : null;
    }

    private static string? Single(IQueryCollection query, string name, int maxLength) =>
        TryGet(query, name, maxLength, out var value) ? value : null;

    // False when the parameter is repeated or too long; a missing one is true with null.
    private static bool TryGet(IQueryCollection query, string name, int maxLength, out string? value)
    {
        value = null;
        if (!query.TryGetValue(name, out StringValues values) || values.Count == 0)
        {
            return true;
        }

        if (values.Count > 1 || values[0] is not { } single || single.Length > maxLength)
        {
            return false;
        }

        value = single.Length == 0 ? null : single;
        return true;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{43}$", RegexOptions.CultureInvariant)]
    private static partial Regex CodeChallenge();
}
