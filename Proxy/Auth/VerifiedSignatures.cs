using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;

namespace Smcp.Proxy.Auth;

/// <summary>Access tokens whose signature has verified, by the SHA-256 of the token, with the key that verified it.</summary>
/// <remarks>
/// A client sends the same token on every request of its session; checking the signature once is
/// enough. A hit counts only when the token's <c>kid</c> still resolves to the very key (the same
/// JWK text) that verified it, so a key the issuer withdrew stops its tokens at once; every claim
/// (issuer, lifetime, audience, tenant, scope) is still checked on every request.
/// At most <see cref="MaxEntries"/> entries of about 300 bytes (a 44-character key, the shared JWK
/// text by reference, the cache's own entry): under 5 MiB whatever the tokens' size.
/// </remarks>
internal sealed class VerifiedSignatures : IDisposable
{
    public const int MaxEntries = 16_384;

    /// <summary>How long an entry lives at most, whatever the token's <c>exp</c>.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(10);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxEntries });

    /// <summary>The cache key of a token: SHA-256 of its ASCII bytes (a compact JWS is ASCII only), base64.</summary>
    public static string Fingerprint(string token)
    {
        Span<byte> bytes = token.Length <= AccessTokenValidator.MaxTokenBytes ? stackalloc byte[token.Length] : new byte[token.Length];
        Encoding.ASCII.GetBytes(token, bytes);
        return Convert.ToBase64String(SHA256.HashData(bytes));
    }

    public bool Contains(string fingerprint, string jwk) =>
        _cache.TryGetValue(fingerprint, out string? verifiedWith) && string.Equals(verifiedWith, jwk, StringComparison.Ordinal);

    /// <summary>Remembers that the token verified with <paramref name="jwk"/>, for <paramref name="lifetime"/> or <see cref="MaxAge"/>, whichever is shorter.</summary>
    public void Add(string fingerprint, string jwk, TimeSpan lifetime)
    {
        if (lifetime <= TimeSpan.Zero)
        {
            return;
        }

        _cache.Set(fingerprint, jwk, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = lifetime < MaxAge ? lifetime : MaxAge });
    }

    public void Dispose() => _cache.Dispose();
}
