using System.Globalization;
using System.Text;

namespace Smcp.Proxy.Guard;

/// <summary>The bounded, visible piece of a text that a finding quotes: never a whole description.</summary>
internal static class Excerpt
{
    /// <summary>Characters of the text an excerpt keeps (before invisible ones are spelled out as <c>U+XXXX</c>).</summary>
    public const int MaxChars = 64;

    /// <summary>The longest visible form: spelling out hidden characters may make it longer than the text, never more than this.</summary>
    public const int MaxVisibleChars = 4 * MaxChars;

    private const int Before = 16;

    public static string Around(string text, int index)
    {
        var start = Math.Clamp(index - Before, 0, text.Length);
        var end = Math.Min(text.Length, start + MaxChars);
        if (start > 0 && char.IsLowSurrogate(text[start]))
        {
            start--;
        }

        if (end < text.Length && end > 0 && char.IsHighSurrogate(text[end - 1]))
        {
            end--;
        }

        return Visible(text.AsSpan(start, end - start));
    }

    /// <summary>
    /// The text with every control, format, private-use, unassigned or lone surrogate character written as <c>U+XXXX</c>,
    /// cut with "…" at <see cref="MaxVisibleChars"/>.
    /// </summary>
    public static string Visible(ReadOnlySpan<char> text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxVisibleChars));
        for (var i = 0; i < text.Length;)
        {
            if (builder.Length >= MaxVisibleChars)
            {
                return builder.Append('…').ToString();
            }

            if (Rune.DecodeFromUtf16(text[i..], out var rune, out var used) != System.Buffers.OperationStatus.Done)
            {
                builder.Append(CultureInfo.InvariantCulture, $"U+{(int)text[i]:X4}");
                i++;
                continue;
            }

            if (UnicodeRules.IsHidden(rune))
            {
                builder.Append(CultureInfo.InvariantCulture, $"U+{rune.Value:X4}");
            }
            else
            {
                builder.Append(text.Slice(i, used));
            }

            i += used;
        }

        return builder.ToString();
    }
}
