using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using JWT = Jose.JWT;
using JwsAlgorithm = Jose.JwsAlgorithm;
using Smcp.Orchestrator.Config;
using Smcp.Orchestrator.OAuth.Keys;

namespace Smcp.Orchestrator.OAuth.Tokens;

/// <summary>What an access token says: who, for which client, for which MCP endpoint, with what scope.</summary>
/// <param name="Subject"><c>user:{uuid}</c> or <c>client:{client_id}</c>.</param>
/// <param name="Audience">The MCP resource URL (RFC 8707) the token is bound to.</param>
internal sealed record AccessTokenClaims(string Issuer, string Tenant, string Subject, string ClientId, string Audience, string Scope);

internal sealed record IssuedAccessToken(string Token, long ExpiresIn);

/// <summary>Mints the built-in issuer's access tokens: JWTs (RFC 9068) signed ES256 with the ring's current key.</summary>
internal sealed class AccessTokenIssuer(SigningKeyRing ring, ConfigMonitor config, TimeProvider time)
{
    public async Task<IssuedAccessToken> IssueAsync(AccessTokenClaims claims, CancellationToken cancellationToken)
    {
        var key = (await ring.KeysAsync(cancellationToken)).Current;
        var lifetime = (long)config.Current.OAuth.AccessTokenLifetime.TotalSeconds;
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var headers = new Dictionary<string, object>(StringComparer.Ordinal) { ["kid"] = key.Kid, ["typ"] = OAuthNames.AccessTokenType };
        var token = JWT.Encode(Payload(claims, now, now + lifetime), key.PrivateKey, JwsAlgorithm.ES256, headers);
        return new IssuedAccessToken(token, lifetime);
    }

    private static string Payload(AccessTokenClaims claims, long now, long expires)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("iss", claims.Issuer);
            writer.WriteString("sub", claims.Subject);
            writer.WriteString("aud", claims.Audience);
            writer.WriteNumber("exp", expires);
            writer.WriteNumber("iat", now);
            writer.WriteNumber("nbf", now);
            writer.WriteString("jti", Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)));
            writer.WriteString("client_id", claims.ClientId);
            writer.WriteString("scope", claims.Scope);
            writer.WriteString(OAuthNames.TenantClaim, claims.Tenant);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
