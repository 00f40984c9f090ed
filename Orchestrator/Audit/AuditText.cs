using System.Text;

namespace Smcp.Orchestrator.Audit;

/// <summary>The fixed length of an audit row's text fields: a client chooses the method, tool name and resource URI.</summary>
internal static class AuditText
{
    /// <summary>The most UTF-8 bytes a text field keeps; longer text is cut on a character boundary and the row marked truncated.</summary>
    public const int MaxFieldBytes = 256;

    /// <summary>The value, or its longest prefix of whole characters within <see cref="MaxFieldBytes"/> (then <paramref name="truncated"/> is set).</summary>
    public static string? Cut(string? value, ref bool truncated)
    {
        // A char is at most 3 UTF-8 bytes (a surrogate pair 4 for two chars), so shorter text needs no count.
        if (value is null || value.Length * 3 <= MaxFieldBytes || Encoding.UTF8.GetByteCount(value) <= MaxFieldBytes)
        {
            return value;
        }

        var bytes = 0;
        var chars = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > MaxFieldBytes)
            {
                break;
            }

            bytes += rune.Utf8SequenceLength;
            chars += rune.Utf16SequenceLength;
        }

        truncated = true;
        return value[..chars];
    }
}
