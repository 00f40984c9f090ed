using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Smcp.Proxy.Guard;

/// <summary>
/// The rules on characters: invisible or deceptive code points (tag characters, bidi controls, zero-width and other
/// format characters, variation-selector runs) and look-alike names mixing scripts (a Cyrillic <c>а</c> in <c>send_emаil</c>).
/// </summary>
/// <remarks>
/// Categories come from <see cref="Rune.GetUnicodeCategory"/>, blocks from <see cref="UnicodeRanges"/>. .NET has no
/// Unicode script property, so scripts are told by block, and only for the scripts whose letters pass for Latin ones
/// (Greek, Cyrillic, Armenian, Cherokee, fullwidth forms, mathematical letters); every other letter counts as "other".
/// The two ranges the BCL lacks (beyond the BMP) are the only hand-written ones.
/// </remarks>
internal static class UnicodeRules
{
    public const string Invisible = "invisible-unicode";
    public const string Bidi = "bidi-control";
    public const string MixedScript = "mixed-script";
    public const string NameCharset = "name-charset";

    // Not in UnicodeRanges (which covers the BMP only): Mathematical Alphanumeric Symbols, Variation Selectors Supplement, Tags.
    private const int MathAlphanumericFirst = 0x1D400, MathAlphanumericLast = 0x1D7FF;
    private const int VariationSupplementFirst = 0xE0100, VariationSupplementLast = 0xE01EF;
    private const int TagFirst = 0xE0000, TagLast = 0xE007F;

    /// <summary>Variation selectors in a row beyond this carry data, not a glyph choice (one follows an emoji).</summary>
    private const int MaxVariationRun = 2;

    private static readonly UnicodeRange[] LatinBlocks =
    [
        UnicodeRanges.BasicLatin, UnicodeRanges.Latin1Supplement, UnicodeRanges.LatinExtendedA, UnicodeRanges.LatinExtendedB,
        UnicodeRanges.IpaExtensions, UnicodeRanges.LatinExtendedAdditional, UnicodeRanges.LatinExtendedC, UnicodeRanges.LatinExtendedD,
        UnicodeRanges.LatinExtendedE,
    ];

    private static readonly (UnicodeRange Block, Script Script)[] ConfusableBlocks =
    [
        (UnicodeRanges.GreekandCoptic, Script.Greek), (UnicodeRanges.GreekExtended, Script.Greek),
        (UnicodeRanges.Cyrillic, Script.Cyrillic), (UnicodeRanges.CyrillicSupplement, Script.Cyrillic),
        (UnicodeRanges.CyrillicExtendedA, Script.Cyrillic), (UnicodeRanges.CyrillicExtendedB, Script.Cyrillic),
        (UnicodeRanges.CyrillicExtendedC, Script.Cyrillic), (UnicodeRanges.Armenian, Script.Armenian),
        (UnicodeRanges.Cherokee, Script.Cherokee), (UnicodeRanges.CherokeeSupplement, Script.Cherokee),
        (UnicodeRanges.HalfwidthandFullwidthForms, Script.Fullwidth),
    ];

    [Flags]
    private enum Script
    {
        None = 0,
        Latin = 1,
        Greek = 2,
        Cyrillic = 4,
        Armenian = 8,
        Cherokee = 16,
        Fullwidth = 32,
        Mathematical = 64,
        Other = 128,
        Confusable = Latin | Greek | Cyrillic | Armenian | Cherokee | Fullwidth | Mathematical,
    }

    /// <summary>Whether the rune shows nothing (or something else than it is): controls, format, private-use, unassigned, variation selectors.</summary>
    public static bool IsHidden(Rune rune) =>
        IsVariationSelector(rune.Value) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate;

    /// <summary>The text without its hidden characters (see <see cref="IsHidden"/>); the text itself when it has none, which is the common case.</summary>
    public static string WithoutHidden(string text)
    {
        var clean = true;
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsHidden(rune) && rune.Value is not ('\t' or '\n' or '\r'))
            {
                clean = false;
                break;
            }
        }

        if (clean && !HasLoneSurrogate(text))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            // A lone surrogate enumerates as U+FFFD, which is not hidden: it is dropped too.
            if ((!IsHidden(rune) || rune.Value is '\t' or '\n' or '\r') && rune != Rune.ReplacementChar)
            {
                builder.Append(rune.ToString());
            }
        }

        return builder.ToString();
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Invisible and bidi characters in any string; in names every hidden character is high, in prose only the ones that smuggle.</summary>
    public static void CheckCharacters(string text, TextRole role, string pointer, List<ScanFinding> findings)
    {
        int? tag = null, bidi = null, hidden = null, variationRun = null;
        var run = 0;
        for (var i = 0; i < text.Length;)
        {
            int value;
            int used;
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out used) == System.Buffers.OperationStatus.Done)
            {
                value = rune.Value;
            }
            else
            {
                // A lone surrogate: no character at all.
                hidden ??= i;
                i += Math.Max(1, used);
                run = 0;
                continue;
            }

            run = IsVariationSelector(value) ? run + 1 : 0;
            if (run > MaxVariationRun)
            {
                variationRun ??= i;
            }
            else if (value is >= TagFirst and <= TagLast)
            {
                tag ??= i;
            }
            else if (value is (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069))
            {
                bidi ??= i;
            }
            else if ((run == 0 || role == TextRole.Identifier) && IsHidden(rune) && !(role != TextRole.Identifier && value is '\t' or '\n' or '\r'))
            {
                hidden ??= i;
            }

            i += used;
        }

        Add(findings, Invisible, FindingSeverity.High, pointer, text, tag);
        Add(findings, Invisible, FindingSeverity.High, pointer, text, variationRun);
        Add(findings, Bidi, FindingSeverity.High, pointer, text, bidi);
        Add(findings, Invisible, role == TextRole.Identifier ? FindingSeverity.High : FindingSeverity.Low, pointer, text, hidden);
    }

    /// <summary>A name mixing look-alike scripts, or with fullwidth or mathematical letters, is high; any other character beyond MCP's recommended <c>A-Z a-z 0-9 _ - . /</c> is low.</summary>
    public static void CheckIdentifier(string name, string pointer, List<ScanFinding> findings)
    {
        var scripts = Script.None;
        int? first = null;
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/'))
            {
                first ??= i;
            }
        }

        foreach (var rune in name.EnumerateRunes())
        {
            scripts |= ScriptOf(rune);
        }

        // Fullwidth and mathematical letters exist to look like Latin ones: in a name they deceive even alone.
        if (IsMixed(scripts & Script.Confusable) || (scripts & (Script.Fullwidth | Script.Mathematical)) != 0)
        {
            findings.Add(new ScanFinding(MixedScript, FindingSeverity.High, pointer, Excerpt.Visible(name.AsSpan(0, Math.Min(name.Length, Excerpt.MaxChars)))));
        }
        else if (first is { } at)
        {
            findings.Add(new ScanFinding(NameCharset, FindingSeverity.Low, pointer, Excerpt.Around(name, at)));
        }
    }

    /// <summary>
    /// A word of prose mixing look-alike scripts: high when Latin meets Cyrillic, Armenian, Cherokee or mathematical
    /// letters (a homoglyph slipped past the text rules), low for Latin with Greek (units such as <c>kΩ</c> or <c>μs</c>).
    /// </summary>
    public static void CheckWords(string text, string pointer, List<ScanFinding> findings)
    {
        var scripts = Script.None;
        var start = 0;
        var index = 0;
        FindingSeverity? worst = null;
        var worstAt = 0;
        void EndWord()
        {
            var confusable = scripts & Script.Confusable;
            if (IsMixed(confusable) && worst != FindingSeverity.High)
            {
                worst = confusable == (Script.Latin | Script.Greek) ? FindingSeverity.Low : FindingSeverity.High;
                worstAt = start;
            }

            scripts = Script.None;
        }

        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsLetter(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark)
            {
                if (scripts == Script.None)
                {
                    start = index;
                }

                scripts |= ScriptOf(rune);
            }
            else
            {
                EndWord();
            }

            index += rune.Utf16SequenceLength;
        }

        EndWord();
        if (worst is { } severity)
        {
            findings.Add(new ScanFinding(MixedScript, severity, pointer, Excerpt.Around(text, worstAt)));
        }
    }

    private static bool IsMixed(Script scripts) => scripts != Script.None && (scripts & (scripts - 1)) != 0;

    private static Script ScriptOf(Rune rune)
    {
        if (!Rune.IsLetter(rune))
        {
            return Script.None;
        }

        var value = rune.Value;
        if (value is >= MathAlphanumericFirst and <= MathAlphanumericLast)
        {
            return Script.Mathematical;
        }

        foreach (var block in LatinBlocks)
        {
            if (In(block, value))
            {
                return Script.Latin;
            }
        }

        foreach (var (block, script) in ConfusableBlocks)
        {
            if (In(block, value))
            {
                return script;
            }
        }

        return Script.Other;
    }

    private static bool In(UnicodeRange block, int value) => value >= block.FirstCodePoint && value < block.FirstCodePoint + block.Length;

    private static bool IsVariationSelector(int value) =>
        In(UnicodeRanges.VariationSelectors, value) || value is >= VariationSupplementFirst and <= VariationSupplementLast;

    private static void Add(List<ScanFinding> findings, string rule, FindingSeverity severity, string pointer, string text, int? at)
    {
        if (at is { } index)
        {
            findings.Add(new ScanFinding(rule, severity, pointer, Excerpt.Around(text, index)));
        }
    }
}
