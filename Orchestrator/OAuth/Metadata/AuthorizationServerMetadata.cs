namespace Smcp.Orchestrator.OAuth.Metadata;

/// <summary>A tenant issuer's metadata (RFC 8414), also served as its OpenID Connect discovery document.</summary>
/// <remarks>
/// <see cref="SubjectTypesSupported"/> and <see cref="IdTokenSigningAlgValuesSupported"/> are there because OIDC discovery requires
/// them; SMCP issues no ID tokens (the <c>openid</c> scope is not supported), only access and refresh tokens.
/// </remarks>
internal sealed record AuthorizationServerMetadata
{
    public required string Issuer { get; init; }
    public required string AuthorizationEndpoint { get; init; }
    public required string TokenEndpoint { get; init; }
    public required string RegistrationEndpoint { get; init; }
    public required string RevocationEndpoint { get; init; }
    public required string JwksUri { get; init; }
    public IReadOnlyList<string> ResponseTypesSupported { get; init; } = ["code"];
    public IReadOnlyList<string> ResponseModesSupported { get; init; } = ["query"];
    public IReadOnlyList<string> GrantTypesSupported { get; init; } =
        [OAuthNames.AuthorizationCodeGrant, OAuthNames.RefreshTokenGrant, OAuthNames.ClientCredentialsGrant];
    public IReadOnlyList<string> CodeChallengeMethodsSupported { get; init; } = ["S256"];
    public IReadOnlyList<string> TokenEndpointAuthMethodsSupported { get; init; } = ClientAuthMethods;
    public IReadOnlyList<string> RevocationEndpointAuthMethodsSupported { get; init; } = ClientAuthMethods;
    public IReadOnlyList<string> ScopesSupported { get; init; } = [OAuthNames.McpScope, OAuthNames.OfflineAccessScope];
    public bool AuthorizationResponseIssParameterSupported { get; init; } = true;
    public bool ClientIdMetadataDocumentSupported { get; init; }
    public IReadOnlyList<string> SubjectTypesSupported { get; init; } = ["public"];
    public IReadOnlyList<string> IdTokenSigningAlgValuesSupported { get; init; } = ["ES256"];

    private static IReadOnlyList<string> ClientAuthMethods => [Clients.ClientKinds.NoAuth, Clients.ClientKinds.SecretBasic, Clients.ClientKinds.SecretPost];
}
