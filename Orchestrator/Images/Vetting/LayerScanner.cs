using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>What scanning one layer archive found; <see cref="Unreadable"/> says why it could not be read to the end.</summary>
internal sealed record LayerScan
{
    public required FindingCollector Findings { get; init; }

    public string? Unreadable { get; init; }

    /// <summary>The finding code for an unreadable layer: corrupt, or in a format vetting does not read.</summary>
    public string UnreadableCode { get; init; } = FindingCodes.CorruptArchive;

    /// <summary>Hex SHA-256 of the layer as stored in the tarball (an OCI blob's name).</summary>
    public string? StoredDigest { get; init; }

    /// <summary>Hex SHA-256 of the uncompressed layer, to its very end: what the engine checks against the config's diff_ids.</summary>
    public string? DiffId { get; init; }

    /// <summary>The private copy of the stored bytes that were hashed.</summary>
    public string? SpoolPath { get; init; }

    public static LayerScan Unsupported(string why) =>
        new() { Findings = new FindingCollector(), Unreadable = why, UnreadableCode = FindingCodes.UnsupportedLayer };
}

/// <summary>Reads one layer (a tar, maybe gzip-compressed) as a stream, keeps a copy, hashes it and reports the entries no sandbox image may carry.</summary>
internal static class LayerScanner
{
    /// <summary>Scans <paramref name="layer"/> to its end; decompressed bytes are counted by <paramref name="unpacked"/>.</summary>
    /// <exception cref="VettingLimitException">The unpacked size crossed its cap.</exception>
    public static async Task<LayerScan> ScanAsync(
        Stream layer, bool gzip, UnpackedBudget unpacked, LayerSpool spool, CancellationToken cancellationToken)
    {
        var findings = new FindingCollector();
        var copy = spool.Create();
        await using (copy.ConfigureAwait(false))
        {
            using var storedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            // Uncompressed, the stored bytes are the tar: their digest is the diff_id, hashed once.
            using var diffHash = gzip ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
            var stored = new HashingReadStream(layer, storedHash, copy);
            var gunzip = gzip ? new GZipStream(stored, CompressionMode.Decompress, leaveOpen: true) : null;
            var counted = unpacked.Wrap((Stream?)gunzip ?? stored);
            Stream tar = diffHash is null ? counted : new HashingReadStream(counted, diffHash, null);
            try
            {
                var rules = new LayerEntryRules(findings);
                await using (var reader = new TarReader(tar, leaveOpen: true))
                {
                    while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                    {
                        rules.Check(entry);
                    }
                }

                // The engine hashes a layer to its end, past the end-of-archive blocks, so the diff_id must too.
                await tar.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                await stored.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                var storedDigest = Convert.ToHexStringLower(storedHash.GetHashAndReset());
                return new LayerScan
                {
                    Findings = findings,
                    StoredDigest = storedDigest,
                    DiffId = diffHash is null ? storedDigest : Convert.ToHexStringLower(diffHash.GetHashAndReset()),
                    SpoolPath = copy.Name,
                };
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
    }
}
