using System.Buffers;
using System.Text.Json;
using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Guard.Pinning;

/// <summary>
/// The audit details of tool pinning: at most <see cref="ScanAudit.MaxShown"/> names per kind of change, each cut to
/// <see cref="Excerpt.MaxChars"/> visible characters, with the counts, so a detail stays a few KiB whatever the listing holds.
/// </summary>
internal static class PinAudit
{
    /// <summary>Audit action of a listing that differs from the approved pins.</summary>
    public const string Changed = "tool.pin.changed";

    /// <summary>Audit action of a server's first listing, pinned as it is.</summary>
    public const string Recorded = "tool.pin.recorded";

    /// <summary>Audit action of a listing that cannot be pinned (shape, duplicate names, too many tools).</summary>
    public const string Unreadable = "tool.pin.unreadable";

    public static JsonElement ChangeDetail(ToolPinningPolicy policy, string version, ToolPinSet pins, ObservedListing listing, ToolPinChanges changes) =>
        Write(writer =>
        {
            writer.WriteString("toolPinning", Name(policy));
            writer.WriteString("version", version);
            writer.WriteString("pinnedVersion", pins.Version);
            writer.WriteString("listingHash", listing.Hash);
            Names(writer, "added", changes.Added);
            Names(writer, "removed", changes.Removed);
            Names(writer, "changed", changes.Changed);
            writer.WriteNumber("renamedCount", changes.Renamed.Count);
            writer.WriteStartArray("renamed");
            foreach (var rename in changes.Renamed.Take(ScanAudit.MaxShown))
            {
                writer.WriteStartObject();
                writer.WriteString("from", Excerpt.Around(rename.From, 0));
                writer.WriteString("to", Excerpt.Around(rename.To, 0));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });

    public static JsonElement RecordedDetail(string version, ObservedListing listing) =>
        Write(writer =>
        {
            writer.WriteString("version", version);
            writer.WriteString("listingHash", listing.Hash);
            writer.WriteNumber("tools", listing.Tools.Count);
        });

    public static JsonElement UnreadableDetail(ToolPinningPolicy policy, string problem) =>
        Write(writer =>
        {
            writer.WriteString("toolPinning", Name(policy));
            writer.WriteString("problem", problem);
        });

    public static string Name(ToolPinningPolicy policy) => policy == ToolPinningPolicy.Block ? "block" : "warn";

    private static void Names(Utf8JsonWriter writer, string member, IReadOnlyList<string> names)
    {
        writer.WriteNumber(member + "Count", names.Count);
        writer.WriteStartArray(member);
        foreach (var name in names.Take(ScanAudit.MaxShown))
        {
            writer.WriteStringValue(Excerpt.Around(name, 0));
        }

        writer.WriteEndArray();
    }

    private static JsonElement Write(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
