using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Duende.IdentityModel.OidcClient;
using Duende.IdentityModel.OidcClient.Results;
using Smcp.Proxy.Auth;

namespace Smcp.Orchestrator.OAuth.Upstream;

/// <summary>Checks an upstream provider's ID token (OpenID Connect Core 3.1.3.7) for the OIDC client library, which checks none itself.</summary>
/// <remarks>
/// The signature is checked by jose-jwt with ES256 or RS256 only, and a key from the provider's discovered key set
/// whose type fits the algorithm (<see cref="JsonWebKeyImport"/>); then <c>iss</c> exactly, <c>aud</c> (and <c>azp</c>
/// when there are several audiences), <c>exp</c>, <c>iat</c>, <c>nbf</c> and <c>sub</c>. The nonce is the caller's:
/// it is bound to the sign-in, which this validator does not see.
/// </remarks>
internal sealed class UpstreamIdTokenValidator(TimeProvider time) : IIdentityTokenValidator
{
    /// <summary>Longer ID tokens are refused unread.</summary>
    public const int MaxTokenBytes = 16 * 1024;

    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    /// <summary>What the library's retry after a key refresh keys on.</summary>
    private const string InvalidSignature = "invalid_signature";

    public Task<IdentityTokenValidationResult> ValidateAsync(string identityToken, OidcClientOptions options, CancellationToken cancellationToken = default) =>
        Task.FromResult(Validate(identityToken, options));

    private IdentityTokenValidationResult Validate(string token, OidcClientOptions options)
    {
        if (token.Length > MaxTokenBytes || !JwtShape.IsJwt(token))
        {
            return Refused("the ID token is not a compact JWS of at most 16 KiB");
        }

        var segments = token.Split('.');
        using var header = JwtReading.ParseSegment(segments[0]);
        using var payload = JwtReading.ParseSegment(segments[1]);
        if (header is null || payload is null)
        {
            return Refused("the ID token's header or payload is not a JSON object with unique names");
        }

        if (JwtReading.Algorithm(header.RootElement) is not { } alg)
        {
            return Refused("the ID token is not signed with ES256 or RS256");
        }

        if (header.RootElement.TryGetProperty("crit", out _))
        {
            return Refused("the ID token's header names critical extensions");
        }

        var keyId = JwtReading.Text(header.RootElement, "kid");
        var keys = options.ProviderInformation?.KeySet?.Keys ?? [];
        var candidates = keyId is null ? keys.Where(k => k.Kty is "EC" or "RSA").ToList() : keys.Where(k => k.Kid == keyId).ToList();
        if (candidates.Count != 1)
        {
            // Unknown kid: the library refreshes the provider's keys once and asks again.
            return Refused(InvalidSignature);
        }

        using (var key = JsonWebKeyImport.Import(Json(candidates[0]), alg, out _))
        {
            if (key is null || !JwtReading.Verifies(token, key, alg))
            {
                return Refused(InvalidSignature);
            }
        }

        var claims = payload.RootElement;
        if (Problem(claims, options) is { } problem)
        {
            return Refused(problem);
        }

        return new IdentityTokenValidationResult { User = Principal(claims), SignatureAlgorithm = alg.ToString() };
    }

    private string? Problem(JsonElement claims, OidcClientOptions options)
    {
        if (JwtReading.Text(claims, "iss") != options.ProviderInformation.IssuerName)
        {
            return "the ID token's iss is not the provider's issuer";
        }

        var audiences = JwtReading.Audiences(claims);
        if (!audiences.Contains(options.ClientId, StringComparer.Ordinal))
        {
            return "the ID token is not for this client";
        }

        if (audiences.Count > 1 && JwtReading.Text(claims, "azp") != options.ClientId)
        {
            return "the ID token has several audiences and another authorized party";
        }

        var now = time.GetUtcNow();
        if (JwtReading.Seconds(claims, "exp") is not { } expires || expires <= now - ClockSkew)
        {
            return "the ID token has expired or has no exp";
        }

        if (JwtReading.Seconds(claims, "iat") is not { } issued || issued > now + ClockSkew)
        {
            return "the ID token has no iat or is issued in the future";
        }

        if (claims.TryGetProperty("nbf", out _) && (JwtReading.Seconds(claims, "nbf") is not { } notBefore || notBefore > now + ClockSkew))
        {
            return "the ID token is not valid yet";
        }

        return JwtReading.Text(claims, "sub") is { Length: > 0 and <= 255 } ? null : "the ID token has no sub of 1 to 255 characters";
    }

    /// <summary>The payload's string and boolean claims; arrays of strings as one claim per value.</summary>
    private static ClaimsPrincipal Principal(JsonElement claims)
    {
        var list = new List<Claim>();
        foreach (var property in claims.EnumerateObject())
        {
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.String:
                    list.Add(new Claim(property.Name, property.Value.GetString()!));
                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    list.Add(new Claim(property.Name, property.Value.GetBoolean() ? "true" : "false", ClaimValueTypes.Boolean));
                    break;
                case JsonValueKind.Array:
                    list.AddRange(property.Value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => new Claim(property.Name, v.GetString()!)));
                    break;
            }
        }

        return new ClaimsPrincipal(new ClaimsIdentity(list, "upstream", "sub", "role"));
    }

    private static string Json(Duende.IdentityModel.Jwk.JsonWebKey key)
    {
        var json = new JsonObject();
        foreach (var (name, value) in new[] { ("kty", key.Kty), ("kid", key.Kid), ("alg", key.Alg), ("use", key.Use), ("crv", key.Crv), ("x", key.X), ("y", key.Y), ("n", key.N), ("e", key.E) })
        {
            if (!string.IsNullOrEmpty(value))
            {
                json[name] = value;
            }
        }

        return json.ToJsonString();
    }

    private static IdentityTokenValidationResult Refused(string error) => new() { Error = error };
}
