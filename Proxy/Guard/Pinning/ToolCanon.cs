using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Guard.Pinning;

/// <summary>
/// The canonical JSON of a tool: its <c>name</c>, <c>title</c>, <c>description</c>, <c>inputSchema</c>, <c>outputSchema</c>
/// and <c>annotations</c>, object keys sorted (ordinal) at every depth, no whitespace, strings re-escaped one way,
/// numbers as sent; its SHA-256 is the pin. Pure logic.
/// </summary>
internal static class ToolCanon
{
    /// <summary>Canonical JSON kept per tool for the diff an admin approves; the hash always covers all of it.</summary>
    public const int MaxKeptCanonicalBytes = 64 * 1024;

    /// <summary>The pinned members, in canonical (ordinal) order.</summary>
    private static readonly string[] Members = ["annotations", "description", "inputSchema", "name", "outputSchema", "title"];

    /// <summary>The tool's pin and kept canonical JSON.</summary>
    /// <exception cref="InvalidOperationException">A string escapes a lone surrogate: no text to pin.</exception>
    public static ObservedTool Observe(JsonElement tool, string name)
    {
        var whole = Canonical(tool, withName: true);
        var content = Canonical(tool, withName: false);
        var pin = new ToolPin(name, Hex(whole.WrittenSpan), Hex(content.WrittenSpan));
        return new ObservedTool(pin, whole.WrittenCount <= MaxKeptCanonicalBytes ? System.Text.Encoding.UTF8.GetString(whole.WrittenSpan) : null);
    }

    /// <summary>The canonical bytes of <paramref name="tool"/>, with or without its name.</summary>
    public static ArrayBufferWriter<byte> Canonical(JsonElement tool, bool withName)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartObject();
        foreach (var member in Members)
        {
            if ((withName || member != "name") && tool.TryGetProperty(member, out var value))
            {
                writer.WritePropertyName(member);
                Write(writer, value);
            }
        }

        writer.WriteEndObject();
        writer.Flush();
        return buffer;
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static void Write(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(value.GetString());
                break;
            default:
                // Numbers as sent (1 and 1.0 stay apart: a server that changes one changed its tool), true, false, null.
                writer.WriteRawValue(value.GetRawText(), skipInputValidation: true);
                break;
        }
    }
}
