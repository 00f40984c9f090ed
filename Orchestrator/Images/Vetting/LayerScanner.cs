using System.Formats.Tar;
using System.IO.Compression;

namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>What scanning one layer archive found; <see cref="Unreadable"/> says why it could not be read to the end.</summary>
internal sealed record LayerScan
{
    public required FindingCollector Findings { get; init; }

    public string? Unreadable { get; init; }

    /// <summary>The finding code for an unreadable layer: corrupt, or in a format vetting does not read.</summary>
    public string UnreadableCode { get; init; } = FindingCodes.CorruptArchive;

    public static LayerScan Unsupported(string why) =>
        new() { Findings = new FindingCollector(), Unreadable = why, UnreadableCode = FindingCodes.UnsupportedLayer };
}

/// <summary>Reads one layer (a tar, maybe gzip-compressed) as a stream and reports the entries no sandbox image may carry.</summary>
internal static class LayerScanner
{
    private const int MaxPathInMessage = 300;

    /// <summary>Scans <paramref name="layer"/> to its end; decompressed bytes are counted by <paramref name="unpacked"/>.</summary>
    /// <exception cref="VettingLimitException">The unpacked size crossed its cap.</exception>
    public static async Task<LayerScan> ScanAsync(Stream layer, bool gzip, UnpackedBudget unpacked, CancellationToken cancellationToken)
    {
        var findings = new FindingCollector();
        var gunzip = gzip ? new GZipStream(layer, CompressionMode.Decompress, leaveOpen: true) : null;
        var counted = unpacked.Wrap(gunzip ?? layer);
        try
        {
            await using var reader = new TarReader(counted, leaveOpen: true);
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                Check(entry, findings);
            }

            return new LayerScan { Findings = findings };
        }
        catch (Exception ex) when (ArchiveErrors.IsCorruption(ex))
        {
            return new LayerScan { Findings = findings, Unreadable = ArchiveErrors.Describe(ex, gzip ? "gzip-compressed layer" : "layer") };
        }
        finally
        {
            unpacked.Consumed(counted.BytesRead);
            if (gunzip is not null)
            {
                await gunzip.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static void Check(TarEntry entry, FindingCollector findings)
    {
        var path = Shorten(entry.Name);
        if (!IsInsideRoot(entry.Name))
        {
            findings.Error(FindingCodes.UnsafePath,
                $"The layer entry '{path}' is an absolute path or climbs out with '..'; no normal image builder writes that. Rebuild the image.",
                path);
        }

        switch (entry.EntryType)
        {
            case TarEntryType.HardLink when !IsInsideRoot(entry.LinkName):
                findings.Error(FindingCodes.UnsafeLink,
                    $"The hard link '{path}' points to '{Shorten(entry.LinkName)}', outside the image root. Rebuild the image.",
                    path);
                break;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                var kind = entry.EntryType == TarEntryType.CharacterDevice ? "character" : "block";
                findings.Error(FindingCodes.DeviceFile,
                    $"'{path}' is a {kind} device node; images may not carry device files. Remove it from the image.",
                    path);
                break;
            case TarEntryType.Fifo:
                findings.Error(FindingCodes.FifoFile,
                    $"'{path}' is a FIFO (named pipe); images may not carry them. Create it at run time under /tmp instead.",
                    path);
                break;
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                CheckMode(entry, path, findings);
                break;
        }
    }

    private static void CheckMode(TarEntry entry, string path, FindingCollector findings)
    {
        var mode = Convert.ToString((int)entry.Mode, 8);
        if (entry.Mode.HasFlag(UnixFileMode.SetUser))
        {
            findings.Error(FindingCodes.SetuidFile,
                $"'{path}' has the setuid bit (mode {mode}), which could raise privileges inside the sandbox. Remove it (chmod u-s) and rebuild the image.",
                path);
        }

        if (entry.Mode.HasFlag(UnixFileMode.SetGroup))
        {
            findings.Error(FindingCodes.SetgidFile,
                $"'{path}' has the setgid bit (mode {mode}), which could raise privileges inside the sandbox. Remove it (chmod g-s) and rebuild the image.",
                path);
        }
    }

    private static bool IsInsideRoot(string path) =>
        !path.StartsWith('/') && !path.Split('/').Contains("..", StringComparer.Ordinal);

    private static string Shorten(string path) => path.Length <= MaxPathInMessage ? path : string.Concat(path.AsSpan(0, MaxPathInMessage), "…");
}
