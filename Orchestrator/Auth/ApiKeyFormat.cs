using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Smcp.Orchestrator.Auth;

/// <summary>
/// API keys look like <c>smcp_{tenant}_{secret}</c>: 32 random bytes, base64url. The tenant in the
/// key lets the lookup run under that tenant's row-level security; only the SHA-256 is stored.
/// </summary>
internal static class ApiKeyFormat
{
    public const string Prefix = "smcp_";
    private const int SecretBytes = 32;

    public static string NewKey(string tenant) =>
        Prefix + tenant + "_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));

    /// <summary>The tenant a key names, or null when the text is not shaped like an SMCP key.</summary>
    public static string? TenantOf(string key)
    {
        if (!key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = key.AsSpan(Prefix.Length);
        var separator = rest.IndexOf('_');
        if (separator <= 0 || rest.Length - separator - 1 != Base64Url.GetEncodedLength(SecretBytes))
        {
            return null;
        }

        var tenant = rest[..separator].ToString();
        return TenantId.IsValid(tenant) ? tenant : null;
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
