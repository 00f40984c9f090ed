using Base64Url = System.Buffers.Text.Base64Url;
using System.Security.Cryptography;
using System.Text.Json;
using Jose;

namespace Smcp.Proxy.Auth;

/// <summary>The strict readings of a compact JWS that every token check here shares: its JSON segments, claims, and signature.</summary>
public static class JwtReading
{
    /// <summary>A base64url segment as a JSON object with unique names, at most 16 deep; null for anything else.</summary>
    public static JsonDocument? ParseSegment(string segment)
    {
        try
        {
            var document = JsonDocument.Parse(Base64Url.DecodeFromChars(segment), new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The ES256 or RS256 the header names; null for any other algorithm, <c>none</c> and HMAC included.</summary>
    public static JwsAlgorithm? Algorithm(JsonElement header) => Text(header, "alg") switch
    {
        "ES256" => JwsAlgorithm.ES256,
        "RS256" => JwsAlgorithm.RS256,
        _ => null,
    };

    public static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A NumericDate claim, whole seconds; null when missing, not a number, or outside what <see cref="DateTimeOffset"/> holds.</summary>
    public static DateTimeOffset? Seconds(JsonElement claims, string name)
    {
        if (!claims.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var seconds)
            || double.IsNaN(seconds) || seconds < 0 || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return null;
        }

        return DateTimeOffset.UnixEpoch.AddSeconds(Math.Floor(seconds));
    }

    /// <summary>The <c>aud</c> claim's values, whether one string or an array.</summary>
    public static IReadOnlyList<string> Audiences(JsonElement claims) =>
        !claims.TryGetProperty("aud", out var audience) ? [] : audience.ValueKind switch
        {
            JsonValueKind.String => [audience.GetString()!],
            JsonValueKind.Array => [.. audience.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!)],
            _ => [],
        };

    /// <summary>Whether jose-jwt verifies the token's signature with this key and exactly this algorithm.</summary>
    public static bool Verifies(string token, AsymmetricAlgorithm key, JwsAlgorithm algorithm)
    {
        try
        {
            JWT.Decode(token, key, algorithm);
            return true;
        }
        catch (Exception ex) when (ex is JoseException or CryptographicException or ArgumentException or FormatException)
        {
            return false;
        }
    }
}
