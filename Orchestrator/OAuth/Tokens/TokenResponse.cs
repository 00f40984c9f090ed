namespace Smcp.Orchestrator.OAuth.Tokens;

/// <summary>A successful token answer (RFC 6749 section 5.1).</summary>
internal sealed record TokenResponse(string AccessToken, string TokenType, long ExpiresIn, string Scope)
{
    public string? RefreshToken { get; init; }
}

/// <summary>What a grant handler gives back: tokens, or the refusal.</summary>
internal sealed record TokenResult(TokenResponse? Response, OAuthError? Error)
{
    /// <summary>Whom the tokens were issued to (<c>user:{uuid}</c> or <c>client:{client_id}</c>), for the audit row.</summary>
    public string? Subject { get; init; }

    public static implicit operator TokenResult(OAuthError error) => new(null, error);
}
