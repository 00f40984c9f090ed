using System.Buffers;
using System.Net;
using System.Text;

namespace Smcp.Proxy.Policy;

/// <summary>
/// Finds a server's own secret values in text: as they are, base64 (standard and URL-safe, also the part of a longer base64
/// text that only the secret's bytes decide), URL-encoded and hex. Values shorter than <see cref="MinSecretBytes"/> are not
/// looked for: redacting a trivial string would garble honest answers and protect nothing.
/// </summary>
internal sealed class SecretMatcher
{
    /// <summary>The shortest secret value (UTF-8 bytes) the guard looks for.</summary>
    public const int MinSecretBytes = 8;

    /// <summary>The shortest piece of a longer base64 text that counts as the secret's encoding.</summary>
    private const int MinBase64Core = 12;

    private readonly SearchValues<string>? _search;
    private readonly (string Form, string Rule)[] _forms;

    public SecretMatcher(IEnumerable<string> secrets)
    {
        var forms = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var secret in secrets)
        {
            var bytes = Encoding.UTF8.GetBytes(secret);
            if (bytes.Length < MinSecretBytes)
            {
                continue;
            }

            forms.TryAdd(secret, "secret-value");
            foreach (var encoded in Base64Forms(bytes))
            {
                forms.TryAdd(encoded, "secret-base64");
            }

            forms.TryAdd(Uri.EscapeDataString(secret), "secret-url-encoded");
            forms.TryAdd(WebUtility.UrlEncode(secret), "secret-url-encoded");
            forms.TryAdd(Convert.ToHexStringLower(bytes), "secret-hex");
            forms.TryAdd(Convert.ToHexString(bytes), "secret-hex");
        }

        // Longest first: at one place the whole encoding wins over its core.
        _forms = [.. forms.OrderByDescending(f => f.Key.Length).Select(f => (f.Key, f.Value))];
        _search = _forms.Length == 0 ? null : SearchValues.Create([.. forms.Keys], StringComparison.Ordinal);
    }

    /// <summary>Secret values looked for (those long enough).</summary>
    public bool IsEmpty => _search is null;

    /// <summary>The text with every form of a secret replaced by <c>[redacted:rule]</c>, each counted in <paramref name="counts"/>.</summary>
    public string Redact(string text, Dictionary<string, int> counts)
    {
        if (_search is null || text.AsSpan().IndexOfAny(_search) < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        var rest = text.AsSpan();
        while (rest.IndexOfAny(_search) is var at and >= 0)
        {
            builder.Append(rest[..at]);
            var (form, rule) = FormAt(rest[at..]);
            builder.Append("[redacted:").Append(rule).Append(']');
            counts[rule] = counts.GetValueOrDefault(rule) + 1;
            rest = rest[(at + form.Length)..];
        }

        return builder.Append(rest).ToString();
    }

    private (string Form, string Rule) FormAt(ReadOnlySpan<char> text)
    {
        foreach (var entry in _forms)
        {
            if (text.StartsWith(entry.Form, StringComparison.Ordinal))
            {
                return entry;
            }
        }

        throw new InvalidOperationException("The search found a form the list does not hold.");
    }

    /// <summary>
    /// The secret's base64 alone (padded and not, standard and URL-safe), and for each of the three alignments it can have
    /// inside a longer base64 text, the characters that only its bytes decide.
    /// </summary>
    private static IEnumerable<string> Base64Forms(byte[] bytes)
    {
        var whole = Convert.ToBase64String(bytes);
        foreach (var form in new[] { whole, whole.TrimEnd('=') })
        {
            yield return form;
            yield return form.Replace('+', '-').Replace('/', '_');
        }

        for (var offset = 0; offset < 3; offset++)
        {
            var shifted = new byte[offset + bytes.Length];
            bytes.CopyTo(shifted, offset);
            var encoded = Convert.ToBase64String(shifted);
            var start = offset == 0 ? 0 : 4;
            var end = (offset + bytes.Length) % 3 == 0 ? encoded.Length : encoded.Length - 4;
            if (end - start >= MinBase64Core)
            {
                var core = encoded[start..end];
                yield return core;
                yield return core.Replace('+', '-').Replace('/', '_');
            }
        }
    }
}
