using System.Text.RegularExpressions;

namespace Smcp.Proxy.Policy;

/// <summary>
/// Replaces a server's own secret values (<see cref="SecretMatcher"/>) and the <see cref="CredentialShapes"/> in a text with
/// <c>[redacted:rule]</c>: the one redactor, used by the output guard on tool results and on the server's logs.
/// </summary>
internal sealed class TextRedactor(IEnumerable<string> secrets)
{
    private readonly SecretMatcher _secrets = new(secrets);

    /// <summary>The text with each finding replaced, each counted by rule in <paramref name="counts"/>.</summary>
    /// <exception cref="RegexMatchTimeoutException">A shape's match ran past <see cref="CredentialShapes.MatchTimeout"/>.</exception>
    public string Redact(string text, Dictionary<string, int> counts)
    {
        text = _secrets.Redact(text, counts);
        foreach (var (rule, anchors, pattern) in CredentialShapes.All)
        {
            if (text.AsSpan().IndexOfAny(anchors) >= 0)
            {
                text = pattern.Replace(text, _ =>
                {
                    counts[rule] = counts.GetValueOrDefault(rule) + 1;
                    return "[redacted:" + rule + "]";
                });
            }
        }

        return text;
    }
}
