using System.Buffers;
using System.Text.Json;

namespace Smcp.Proxy.Guard;

/// <summary>
/// Scans one list result: every string of every entry (names, titles, descriptions, and in the schemas every nested
/// description, title, default, enum value and property name) meets the rules of its <see cref="TextRole"/>.
/// Pure logic: no I/O, no state.
/// </summary>
internal static class ListingScanner
{
    public const string ShapeRule = "listing-shape";

    /// <summary>Findings a verdict keeps (the count goes on): a hostile listing cannot make the verdict large.</summary>
    public const int MaxFindings = 256;

    // Machine text: only the character rules apply (a $schema URL is not an exfiltration cue).
    private static readonly HashSet<string> ReferenceKeys = new(StringComparer.Ordinal)
    {
        "$schema", "$id", "$ref", "$anchor", "uri", "uriTemplate", "mimeType", "src", "format", "type", "pattern",
        "contentEncoding", "contentMediaType", "nextCursor",
    };

    public static ListingVerdict Scan(ListingKind kind, JsonElement result)
    {
        var findings = new List<ScanFinding>();
        var blocked = new List<BlockedEntry>();
        if (Entries(kind, result, out var unreadable) is not { } entries)
        {
            return new ListingVerdict { Findings = [unreadable!], FindingCount = 1, Blocked = [], Unreadable = unreadable };
        }

        var siblings = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries.EnumerateArray())
        {
            if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
            {
                siblings.Add(name.GetString()!);
            }
        }

        var count = 0;
        var index = 0;
        var entryFindings = new List<ScanFinding>();
        foreach (var entry in entries.EnumerateArray())
        {
            var pointer = "/" + kind.ArrayMember + "/" + index;
            entryFindings.Clear();
            string? key = null;
            if (entry.ValueKind != JsonValueKind.Object)
            {
                entryFindings.Add(new ScanFinding(ShapeRule, FindingSeverity.High, pointer, "not an object"));
            }
            else
            {
                key = entry.TryGetProperty(kind.KeyMember, out var keyElement) && keyElement.ValueKind == JsonValueKind.String ? keyElement.GetString() : null;
                var ownName = entry.TryGetProperty("name", out var own) && own.ValueKind == JsonValueKind.String ? own.GetString() : null;
                Walk(new Context(kind, ownName, siblings, entryFindings), entry, pointer, parentKey: null, keysAreNames: false);
            }

            if (entryFindings.Find(f => f.Severity == FindingSeverity.High) is { } reason)
            {
                blocked.Add(new BlockedEntry(index, key, reason));
            }

            count += entryFindings.Count;
            findings.AddRange(entryFindings.Take(MaxFindings - findings.Count));
            index++;
        }

        foreach (var member in result.EnumerateObject())
        {
            if (member.NameEquals(kind.ArrayMember))
            {
                continue;
            }

            // nextCursor, _meta: no model reads them, but a hidden character there is no accident either.
            var before = findings.Count;
            var memberFindings = new List<ScanFinding>();
            Walk(new Context(kind, null, siblings, memberFindings), member.Value, "/" + Escape(member.Name), member.Name, keysAreNames: false, charactersOnly: true);
            count += memberFindings.Count;
            findings.AddRange(memberFindings.Take(MaxFindings - before));
        }

        return new ListingVerdict
        {
            Findings = findings,
            FindingCount = count,
            Blocked = blocked,
            Filtered = blocked.Count == 0 ? ReadOnlyMemory<byte>.Empty : Without(kind, result, blocked),
        };
    }

    private static JsonElement? Entries(ListingKind kind, JsonElement result, out ScanFinding? unreadable)
    {
        unreadable = null;
        if (result.ValueKind != JsonValueKind.Object)
        {
            unreadable = new ScanFinding(ShapeRule, FindingSeverity.High, "", "the result is not an object");
            return null;
        }

        JsonElement? entries = null;
        foreach (var member in result.EnumerateObject())
        {
            if (!member.NameEquals(kind.ArrayMember))
            {
                continue;
            }

            // Two members of one name: clients keep one of them, maybe not the one the proxy would filter.
            if (entries is not null || member.Value.ValueKind != JsonValueKind.Array)
            {
                unreadable = new ScanFinding(ShapeRule, FindingSeverity.High, "/" + kind.ArrayMember,
                    entries is null ? "not an array" : "given twice");
                return null;
            }

            entries = member.Value;
        }

        if (entries is null)
        {
            unreadable = new ScanFinding(ShapeRule, FindingSeverity.High, "/" + kind.ArrayMember, "missing");
        }

        return entries;
    }

    private sealed record Context(ListingKind Kind, string? OwnName, IReadOnlySet<string> Siblings, List<ScanFinding> Findings);

    private static void Walk(Context context, JsonElement element, string pointer, string? parentKey, bool keysAreNames, bool charactersOnly = false)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var member in element.EnumerateObject())
                {
                    var name = member.Name;
                    var at = pointer + "/" + Escape(name);
                    UnicodeRules.CheckCharacters(name, keysAreNames ? TextRole.Identifier : TextRole.Reference, at, context.Findings);
                    if (keysAreNames && !charactersOnly)
                    {
                        UnicodeRules.CheckIdentifier(name, at, context.Findings);
                    }

                    // The members of "properties" (and "patternProperties" is not: its keys are regexes) are argument names.
                    Walk(context, member.Value, at, name, keysAreNames: !keysAreNames && name == "properties", charactersOnly);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(context, item, pointer + "/" + index++, parentKey, keysAreNames: false, charactersOnly);
                }

                break;
            case JsonValueKind.String:
                CheckString(context, element.GetString()!, pointer, parentKey, charactersOnly);
                break;
        }
    }

    private static void CheckString(Context context, string text, string pointer, string? key, bool charactersOnly)
    {
        var role = charactersOnly || (key is not null && ReferenceKeys.Contains(key)) ? TextRole.Reference
            : key == "name" && context.Kind.NamesAreIdentifiers ? TextRole.Identifier
            : TextRole.Text;
        UnicodeRules.CheckCharacters(text, role, pointer, context.Findings);
        switch (role)
        {
            case TextRole.Identifier:
                UnicodeRules.CheckIdentifier(text, pointer, context.Findings);
                break;
            case TextRole.Text:
                // Read as a model reads it: "<IMP\u200BORTANT>" is "<IMPORTANT>" to the model, so the text rules see it without hidden characters.
                var readable = UnicodeRules.WithoutHidden(text);
                UnicodeRules.CheckWords(readable, pointer, context.Findings);
                TextRules.Check(readable, pointer, context.OwnName, context.Siblings, context.Findings);
                break;
        }
    }

    /// <summary>The result as parsed, written anew without the blocked entries: the client gets what this parser read, nothing it skipped.</summary>
    private static ReadOnlyMemory<byte> Without(ListingKind kind, JsonElement result, List<BlockedEntry> blocked)
    {
        var removed = blocked.Select(b => b.Index).ToHashSet();
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var member in result.EnumerateObject())
            {
                if (!member.NameEquals(kind.ArrayMember))
                {
                    member.WriteTo(writer);
                    continue;
                }

                writer.WritePropertyName(member.Name);
                writer.WriteStartArray();
                var index = 0;
                foreach (var entry in member.Value.EnumerateArray())
                {
                    if (!removed.Contains(index++))
                    {
                        entry.WriteTo(writer);
                    }
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    /// <summary>A JSON pointer reference token (RFC 6901): <c>~</c> as <c>~0</c>, <c>/</c> as <c>~1</c>.</summary>
    public static string Escape(string token) =>
        token.AsSpan().IndexOfAny('~', '/') < 0 ? token : token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
