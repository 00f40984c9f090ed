using Base64Url = System.Buffers.Text.Base64Url;
using System.Security.Cryptography;
using System.Text.Json;
using Jose;

namespace Smcp.Proxy.Auth;

/// <summary>Turns an issuer's public JWK into the verification key for one algorithm, or refuses it.</summary>
/// <remarks>
/// The key's type decides what it can verify, never the token: an ES256 token needs an EC P-256 key and an
/// RS256 token an RSA key of at least 2048 bits. So a token signed with HMAC over the public key's bytes has
/// no key to be checked with, whatever its header says.
/// </remarks>
public static class JsonWebKeyImport
{
    private const int MinRsaBits = 2048;
    private const int MaxRsaBits = 8192;
    private const int P256CoordinateBytes = 32;

    /// <summary>An <see cref="ECDsa"/> or <see cref="RSA"/> the caller disposes, or null with the reason when the key does not fit <paramref name="algorithm"/>.</summary>
    public static AsymmetricAlgorithm? Import(string jwkJson, JwsAlgorithm algorithm, out string? refusal)
    {
        try
        {
            using var document = JsonDocument.Parse(jwkJson);
            var jwk = document.RootElement;
            if (jwk.ValueKind != JsonValueKind.Object)
            {
                refusal = "the key is not a JSON object";
                return null;
            }

            if (Text(jwk, "use") is { } use && use != "sig")
            {
                refusal = "the key is not a signing key";
                return null;
            }

            if (Text(jwk, "alg") is { } keyAlgorithm && keyAlgorithm != algorithm.ToString())
            {
                refusal = "the key is for another algorithm";
                return null;
            }

            return algorithm switch
            {
                JwsAlgorithm.ES256 => ImportP256(jwk, out refusal),
                JwsAlgorithm.RS256 => ImportRsa(jwk, out refusal),
                _ => Refuse("no key type fits the algorithm", out refusal),
            };
        }
        catch (Exception ex) when (ex is JsonException or FormatException or CryptographicException)
        {
            refusal = "the key is malformed";
            return null;
        }
    }

    private static ECDsa? ImportP256(JsonElement jwk, out string? refusal)
    {
        if (Text(jwk, "kty") != "EC" || Text(jwk, "crv") != "P-256")
        {
            return Refuse<ECDsa>("ES256 needs an EC P-256 key", out refusal);
        }

        var x = Bytes(jwk, "x");
        var y = Bytes(jwk, "y");
        if (x is not { Length: P256CoordinateBytes } || y is not { Length: P256CoordinateBytes })
        {
            return Refuse<ECDsa>("the EC key's coordinates are not P-256 sized", out refusal);
        }

        refusal = null;
        return ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = x, Y = y } });
    }

    private static RSA? ImportRsa(JsonElement jwk, out string? refusal)
    {
        if (Text(jwk, "kty") != "RSA")
        {
            return Refuse<RSA>("RS256 needs an RSA key", out refusal);
        }

        var modulus = Bytes(jwk, "n")?.AsSpan().TrimStart((byte)0).ToArray();
        var exponent = Bytes(jwk, "e");
        if (modulus is null || exponent is not { Length: > 0 and <= 8 } || modulus.Length * 8 < MinRsaBits || modulus.Length * 8 > MaxRsaBits)
        {
            return Refuse<RSA>($"RS256 needs an RSA key of {MinRsaBits} to {MaxRsaBits} bits", out refusal);
        }

        refusal = null;
        return RSA.Create(new RSAParameters { Modulus = modulus, Exponent = exponent });
    }

    private static AsymmetricAlgorithm? Refuse(string reason, out string? refusal) => Refuse<AsymmetricAlgorithm>(reason, out refusal);

    private static T? Refuse<T>(string reason, out string? refusal)
        where T : class
    {
        refusal = reason;
        return null;
    }

    private static string? Text(JsonElement jwk, string name) =>
        jwk.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[]? Bytes(JsonElement jwk, string name) => Text(jwk, name) is { } text ? Base64Url.DecodeFromChars(text) : null;
}
