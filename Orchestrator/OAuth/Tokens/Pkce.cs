using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Smcp.Orchestrator.OAuth.Tokens;

/// <summary>PKCE (RFC 7636), S256 only: the verifier's SHA-256 in base64url must be the code's challenge.</summary>
internal static class Pkce
{
    /// <summary>43 to 128 characters of the unreserved set (RFC 7636 section 4.1).</summary>
    public static bool IsWellFormedVerifier(string verifier) =>
        verifier.Length is >= 43 and <= 128 && verifier.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');

    /// <summary>Compared in constant time, so the comparison's timing says nothing of the challenge.</summary>
    public static bool Matches(string verifier, string challenge)
    {
        var computed = Encoding.ASCII.GetBytes(Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
        return CryptographicOperations.FixedTimeEquals(computed, Encoding.UTF8.GetBytes(challenge));
    }
}
