using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Smcp.Orchestrator.Audit;

/// <summary>The hash chain: hash = SHA-256(prev_hash || canonical bytes of the row).</summary>
/// <remarks>
/// The canonical form is a version byte, then every field in a fixed order: strings as a presence byte, a
/// big-endian length and UTF-8; integers as big-endian 64-bit; the time as microseconds since the Unix epoch
/// in UTC (what Postgres keeps); the latency as big-endian IEEE 754; the detail as the text Postgres prints
/// for the jsonb value, so a reader re-derives the same bytes from what it reads back. A truncated row is
/// version 2: version 1's bytes and then a truncated byte; a row that was not truncated keeps version 1, so
/// rows written before the flag existed still verify.
/// </remarks>
internal static class AuditHash
{
    public const int Size = 32;
    private const byte FormatVersion = 1;
    private const byte TruncatedFormatVersion = 2;
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public static ReadOnlySpan<byte> Genesis => new byte[Size];

    /// <summary>The time Postgres will store: UTC, truncated to whole microseconds.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % 10), TimeSpan.Zero);
    }

    public static byte[] Compute(ReadOnlySpan<byte> prevHash, AuditRow row)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(prevHash);
        buffer.Write([row.Truncated ? TruncatedFormatVersion : FormatVersion]);
        WriteString(buffer, row.TenantId);
        WriteInt64(buffer, row.Seq);
        WriteInt64(buffer, (Truncate(row.At).UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
        WriteString(buffer, row.Principal);
        WriteString(buffer, row.SessionId);
        WriteString(buffer, row.Action);
        WriteString(buffer, row.Target);
        WriteString(buffer, row.Outcome);
        var latency = buffer.GetSpan(8);
        BinaryPrimitives.WriteDoubleBigEndian(latency, double.IsNaN(row.LatencyMs) ? double.NaN : row.LatencyMs);
        buffer.Advance(8);
        WriteInt64(buffer, row.BytesIn);
        WriteInt64(buffer, row.BytesOut);
        WriteString(buffer, row.DetailJson);
        if (row.Truncated)
        {
            buffer.Write([(byte)1]);
        }

        return SHA256.HashData(buffer.WrittenSpan);
    }

    private static void WriteInt64(ArrayBufferWriter<byte> buffer, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(buffer.GetSpan(8), value);
        buffer.Advance(8);
    }

    private static void WriteString(ArrayBufferWriter<byte> buffer, string? value)
    {
        if (value is null)
        {
            buffer.Write([(byte)0]);
            return;
        }

        var length = StrictUtf8.GetByteCount(value);
        var span = buffer.GetSpan(5 + length);
        span[0] = 1;
        BinaryPrimitives.WriteInt32BigEndian(span[1..], length);
        StrictUtf8.GetBytes(value, span[5..]);
        buffer.Advance(5 + length);
    }
}
