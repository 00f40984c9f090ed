using System.Security.Cryptography;
using System.Text;

namespace Smcp.Proxy.Auth;

/// <summary>The audit id of an OAuth caller: stable across its tokens, non-secret, at most <see cref="MaxLength"/> characters.</summary>
internal static class OAuthPrincipalId
{
    public const int MaxLength = 120;

    private const string Prefix = "oauth:";
    private const int MaxPlainSubject = 80;

    /// <summary>
    /// The built-in issuer's subjects (<c>user:{uuid}</c>, <c>client:{id}</c>) are SMCP's own and unique per tenant:
    /// <c>oauth:</c> + sub. An external issuer's subject is only unique within that issuer, so a short hash of the
    /// issuer goes before it; a long or odd subject is hashed too, so no caller can write what it likes into the audit log.
    /// </summary>
    public static string For(string issuer, string subject, bool builtIn)
    {
        if (builtIn && IsPlain(subject, MaxLength - Prefix.Length))
        {
            return Prefix + subject;
        }

        var issuerHash = Hash(issuer)[..12];
        return IsPlain(subject, MaxPlainSubject)
            ? $"{Prefix}{issuerHash}:{subject}"
            : $"{Prefix}{issuerHash}:#{Hash(subject)[..32]}";
    }

    private static bool IsPlain(string subject, int maxLength) =>
        subject.Length <= maxLength && subject.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '@' or '|');

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
