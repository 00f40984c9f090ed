using Smcp.Orchestrator.OAuth.Tokens;

namespace Smcp.Orchestrator.OAuth.Clients;

/// <summary>A registration request that passed <see cref="RegistrationRules"/>, defaults filled in.</summary>
internal sealed record ValidRegistration(IReadOnlyList<string> RedirectUris, IReadOnlyList<string> GrantTypes, string AuthMethod, string? Name, string Scope);

/// <summary>What <c>/register</c> accepts: code-flow clients only; services (client_credentials) are made by a tenant admin.</summary>
internal static class RegistrationRules
{
    public const int MaxRedirectUris = 10;
    public const int MaxNameLength = 200;

    private static readonly string[] Grants = [OAuthNames.AuthorizationCodeGrant, OAuthNames.RefreshTokenGrant];
    private static readonly string[] AuthMethods = [ClientKinds.NoAuth, ClientKinds.SecretBasic, ClientKinds.SecretPost];
    private static readonly string[] Scopes = [OAuthNames.McpScope, OAuthNames.OfflineAccessScope];

    public static (ValidRegistration? Registration, OAuthError? Error) Validate(ClientRegistrationRequest request)
    {
        if (request.RedirectUris is not { Count: > 0 } uris)
        {
            return Refuse(OAuthNames.InvalidRedirectUri, "redirect_uris is required: at least one.");
        }

        if (uris.Count > MaxRedirectUris)
        {
            return Refuse(OAuthNames.InvalidRedirectUri, $"redirect_uris holds at most {MaxRedirectUris} URIs.");
        }

        foreach (var uri in uris)
        {
            if (RedirectUriRules.Check(uri ?? "") is { } reason)
            {
                return Refuse(OAuthNames.InvalidRedirectUri, reason);
            }
        }

        // RFC 7591 section 2: without grant_types the client uses authorization_code only.
        var grants = request.GrantTypes is { Count: > 0 } given ? given.Distinct(StringComparer.Ordinal).ToList() : [OAuthNames.AuthorizationCodeGrant];
        if (grants.Contains(OAuthNames.ClientCredentialsGrant, StringComparer.Ordinal))
        {
            return Refuse(OAuthNames.InvalidClientMetadata, "client_credentials clients cannot register themselves; a tenant admin makes service clients.");
        }

        if (grants.Any(g => !Grants.Contains(g, StringComparer.Ordinal)) || !grants.Contains(OAuthNames.AuthorizationCodeGrant, StringComparer.Ordinal))
        {
            return Refuse(OAuthNames.InvalidClientMetadata, "grant_types must include authorization_code and may add refresh_token, nothing else.");
        }

        if (request.ResponseTypes is { } responseTypes && !(responseTypes.Count > 0 && responseTypes.All(r => r == "code")))
        {
            return Refuse(OAuthNames.InvalidClientMetadata, "response_types must be [\"code\"].");
        }

        // RFC 7591 section 2: without token_endpoint_auth_method the client authenticates with client_secret_basic.
        var authMethod = request.TokenEndpointAuthMethod ?? ClientKinds.SecretBasic;
        if (!AuthMethods.Contains(authMethod, StringComparer.Ordinal))
        {
            return Refuse(OAuthNames.InvalidClientMetadata, "token_endpoint_auth_method must be none, client_secret_basic or client_secret_post.");
        }

        if (request.ClientName is { } name && (name.Length > MaxNameLength || name.Any(char.IsControl)))
        {
            return Refuse(OAuthNames.InvalidClientMetadata, $"client_name is at most {MaxNameLength} characters, none of them control characters.");
        }

        var scope = OAuthNames.McpScope;
        if (request.Scope is { } requested)
        {
            if (ScopeSet.Parse(requested) is not { } tokens || tokens.Any(t => !Scopes.Contains(t, StringComparer.Ordinal)))
            {
                return Refuse(OAuthNames.InvalidClientMetadata, "scope may hold mcp and offline_access only.");
            }

            scope = string.Join(' ', tokens.Distinct(StringComparer.Ordinal));
        }

        return (new ValidRegistration(uris, grants, authMethod, request.ClientName, scope), null);
    }

    private static (ValidRegistration?, OAuthError?) Refuse(string error, string description) => (null, new OAuthError(error, description));
}
