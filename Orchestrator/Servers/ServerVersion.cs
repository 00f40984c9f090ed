using System.Security.Cryptography;
using System.Text;

namespace Smcp.Orchestrator.Servers;

/// <summary>
/// What defines a deployed server's behaviour, as one hash: its image's digest, its arguments and its (non-secret)
/// environment. Recorded with its tool pins, so an approval shows which version it approves; secrets are left out, their values never leave the vault.
/// </summary>
internal static class ServerVersion
{
    public static string Of(string imageDigest, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> env)
    {
        var text = new StringBuilder(imageDigest).Append('\n');
        foreach (var arg in args)
        {
            // Length-prefixed, so ["a b"] and ["a", "b"] differ.
            text.Append(arg.Length).Append(':').Append(arg).Append('\n');
        }

        foreach (var (name, value) in env.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append('=').Append(value.Length).Append(':').Append(value).Append('\n');
        }

        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
