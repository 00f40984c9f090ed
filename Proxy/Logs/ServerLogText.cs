using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Smcp.Proxy.Guard;
using Smcp.Proxy.Policy;

namespace Smcp.Proxy.Logs;

/// <summary>
/// Turns a sandbox's stderr bytes into text that is safe to print: a hostile server's bytes must not reach a terminal
/// as escape sequences, and its own secrets must not come out through its logs (secrets are write-only in the API).
/// </summary>
internal static class ServerLogText
{
    public const string Withheld = "[withheld: the proxy could not scan this log for the server's secrets in time]";

    /// <summary>
    /// Decoded as UTF-8 with U+FFFD for invalid bytes, CR LF as LF, secrets and credential shapes redacted as the output guard
    /// does, then every hidden character (<see cref="UnicodeRules.IsHidden"/>: controls such as ESC, bidi and other format
    /// characters) but line feed and tab written as <c>U+XXXX</c>.
    /// </summary>
    public static string Render(ReadOnlySpan<byte> bytes, IEnumerable<string> secrets)
    {
        var text = Encoding.UTF8.GetString(bytes).Replace("\r\n", "\n", StringComparison.Ordinal);
        try
        {
            text = new TextRedactor(secrets).Redact(text, new Dictionary<string, int>(StringComparer.Ordinal));
        }
        catch (RegexMatchTimeoutException)
        {
            return Withheld;
        }

        return Visible(text);
    }

    private static string Visible(string text)
    {
        StringBuilder? builder = null;
        var index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (UnicodeRules.IsHidden(rune) && rune.Value is not ('\n' or '\t'))
            {
                builder ??= new StringBuilder(text.Length + 16).Append(text, 0, index);
                builder.Append(CultureInfo.InvariantCulture, $"U+{rune.Value:X4}");
            }
            else
            {
                builder?.Append(text, index, rune.Utf16SequenceLength);
            }

            index += rune.Utf16SequenceLength;
        }

        return builder?.ToString() ?? text;
    }
}
