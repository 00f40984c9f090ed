namespace Smcp.Orchestrator.OAuth.Keys;

/// <summary>A row of <c>oauth_signing_keys</c>: the public JWK in the clear, the private key sealed.</summary>
internal sealed record StoredSigningKey
{
    public required string Kid { get; init; }
    public required string Alg { get; init; }
    public required string PublicJwk { get; init; }
    public required byte[] SealedKey { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RetiredAt { get; init; }
}
