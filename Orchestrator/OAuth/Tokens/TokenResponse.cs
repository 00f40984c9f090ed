namespace Smcp.Orchestrator.OAuth.Tokens;

/// <summary>A successful token answer (RFC 6749 section 5.1).</summary>
internal sealed record TokenResponse(string AccessToken, string TokenType, long ExpiresIn, string Scope)
{
    public string? RefreshToken { get; init; }
}

/// <summary>What a grant handler gives back: tokens, or the refusal.</summary>
internal sealed record TokenResult(TokenResponse? Response, OAuthError? Error)
{
    public static implicit operator TokenResult(OAuthError error) => new(null, error);

    public static implicit operator TokenResult(TokenResponse response) => new(response, null);
}
