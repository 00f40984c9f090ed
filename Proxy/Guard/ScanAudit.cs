using System.Buffers;
using System.Text.Json;
using Smcp.Proxy.Ports;

namespace Smcp.Proxy.Guard;

/// <summary>
/// The audit detail of a scanned listing: the policy, how many findings, the first <see cref="MaxShown"/> of them and
/// of the removed entries, with pointers cut to <see cref="MaxPointerChars"/> and excerpts of at most
/// <see cref="Excerpt.MaxChars"/> characters, so a detail stays under 16 KiB whatever the listing holds.
/// </summary>
internal static class ScanAudit
{
    public const int MaxShown = 10;

    public const int MaxPointerChars = 128;

    public static JsonElement Detail(ListingVerdict verdict, ToolScanPolicy policy, bool removed)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("toolScan", policy == ToolScanPolicy.Block ? "block" : "warn");
            writer.WriteNumber("findings", verdict.FindingCount);
            writer.WriteStartArray("shown");
            foreach (var finding in verdict.Findings.Take(MaxShown))
            {
                writer.WriteStartObject();
                writer.WriteString("rule", finding.Rule);
                writer.WriteString("severity", finding.Severity == FindingSeverity.High ? "high" : "low");
                writer.WriteString("pointer", Cut(finding.Pointer));
                writer.WriteString("excerpt", finding.Excerpt);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (removed)
            {
                writer.WriteNumber("removedCount", verdict.Blocked.Count);
                writer.WriteStartArray("removed");
                foreach (var entry in verdict.Blocked.Take(MaxShown))
                {
                    writer.WriteStartObject();
                    writer.WriteString("key", entry.Key is null ? null : Excerpt.Around(entry.Key, 0));
                    writer.WriteString("rule", entry.Reason.Rule);
                    writer.WriteString("pointer", Cut(entry.Reason.Pointer));
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>A pointer fit to show: cut to <see cref="MaxPointerChars"/>, invisible characters (an object key may hold them) spelled out.</summary>
    public static string Cut(string pointer) =>
        Excerpt.Visible(pointer.AsSpan(0, Math.Min(pointer.Length, MaxPointerChars))) + (pointer.Length > MaxPointerChars ? "…" : "");
}
