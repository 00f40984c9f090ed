using System.Security.Cryptography;

namespace Smcp.Orchestrator.OAuth.Keys;

/// <summary>The key new tokens are signed with.</summary>
internal sealed record SigningKey(string Kid, ECDsa PrivateKey);

/// <summary>One reading of the signing keys: the current one, and every public key whose tokens are still accepted.</summary>
/// <param name="Published">Key id to public JWK (JSON).</param>
/// <param name="Jwks">The JWK set document of <see cref="Published"/>, as served at <c>/oauth/jwks</c>.</param>
internal sealed record SigningKeySet(SigningKey Current, IReadOnlyDictionary<string, string> Published, string Jwks, DateTimeOffset LoadedAt);
