namespace Smcp.Proxy.Guard;

/// <summary>What the scan made of one listing (by the SHA-256 of its result bytes): kept in the <see cref="VerdictCache"/>.</summary>
internal sealed class ListingVerdict
{
    /// <summary>Findings kept, at most <see cref="ListingScanner.MaxFindings"/>.</summary>
    public required IReadOnlyList<ScanFinding> Findings { get; init; }

    /// <summary>Every finding, also those beyond what is kept.</summary>
    public required int FindingCount { get; init; }

    public required IReadOnlyList<BlockedEntry> Blocked { get; init; }

    /// <summary>Set when the result is not a listing the scan can read (not an object, its entries not one array): <c>block</c> withholds it whole.</summary>
    public ScanFinding? Unreadable { get; init; }

    /// <summary>The result without the blocked entries, written from the parsed document; empty when nothing is blocked.</summary>
    public ReadOnlyMemory<byte> Filtered { get; init; }

    public bool IsClean => FindingCount == 0;

    /// <summary>What the verdict keeps in memory, as the cache counts it.</summary>
    public long Bytes
    {
        get
        {
            const int PerObject = 64;
            long bytes = PerObject + Filtered.Length;
            foreach (var finding in Findings)
            {
                bytes += PerObject + (2L * (finding.Rule.Length + finding.Pointer.Length + finding.Excerpt.Length));
            }

            foreach (var entry in Blocked)
            {
                bytes += PerObject + (2L * (entry.Key?.Length ?? 0));
            }

            return bytes;
        }
    }
}
