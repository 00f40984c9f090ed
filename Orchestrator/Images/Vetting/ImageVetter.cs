using System.Buffers;
using System.Formats.Tar;
using System.IO.Pipelines;

namespace Smcp.Orchestrator.Images.Vetting;

/// <summary>Vets an uploaded <c>docker save</c> tarball in one streaming pass; only each layer's bytes are kept (in a private spool), nothing is extracted.</summary>
internal sealed class ImageVetter
{
    private const int MaxMetadataBytes = 16 * 1024 * 1024;
    private const int HeadBytes = 512;
    private static readonly byte[] TarMagic = "ustar"u8.ToArray();

    private enum FileKind
    {
        Json,
        Tar,
        Gzip,
        Zstd,
        Other,
    }

    /// <summary>Reads <paramref name="tarball"/> to its end (or to the first exceeded limit) and reports what it holds.</summary>
    /// <remarks>
    /// Broken input is a finding, not an exception; only cancellation and bugs throw. Each layer's bytes are copied into
    /// <paramref name="spool"/> as they are hashed; the outcome's image names those copies when the verdict is not a reject.
    /// </remarks>
    public async Task<VettingOutcome> VetAsync(Stream tarball, VettingPolicy policy, LayerSpool spool, CancellationToken cancellationToken)
    {
        var findings = new FindingCollector();
        var archive = new SavedArchive();
        var unpacked = new UnpackedBudget(policy.MaxBytes);
        var outer = new CappedReadStream(tarball, policy.MaxBytes, $"The tarball is over the limit of {policy.MaxBytes} bytes.");
        SavedImage? image = null;
        try
        {
            await ReadAsync(outer, archive, unpacked, spool, new OuterEntryRules(OuterEntryRules.MaxEntriesFor(policy.MaxLayers)), cancellationToken)
                .ConfigureAwait(false);

            // Past the end-of-archive blocks: read (and count against the limit) whatever padding follows.
            await outer.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            image = SavedImageInspector.Inspect(archive, policy, findings);
        }
        catch (UnsafeArchiveEntryException ex)
        {
            findings.Error(ex.Code, ex.Message, ex.Path);
        }
        catch (VettingLimitException ex)
        {
            findings.Error(FindingCodes.TooLarge, $"{ex.Message} Make the image smaller or ask the admin for a higher limit.");
        }
        catch (Exception ex) when (ArchiveErrors.IsCorruption(ex))
        {
            var what = outer.BytesRead == 0 ? "it is empty" : ArchiveErrors.Describe(ex, "tarball");
            findings.Error(FindingCodes.CorruptArchive, $"The upload is not a readable docker save tarball: {what}. Upload the output of `docker save IMAGE`.");
        }

        var list = findings.ToList();
        var report = new VettingReport
        {
            Verdict = VettingReport.Decide(list),
            Findings = list,
            TotalBytes = outer.BytesRead,
            UnpackedBytes = unpacked.Used,
            LayerCount = image?.LayerCount ?? 0,
            ImageId = image?.Content?.ImageId,
            Entrypoint = image?.Entrypoint,
            Cmd = image?.Cmd,
            User = image?.User,
            EnvNames = image?.EnvNames ?? [],
            RepoTags = image?.RepoTags ?? [],
        };
        return new VettingOutcome(report, report.Verdict == Verdict.Reject ? null : image?.Content);
    }

    private static async Task ReadAsync(
        Stream outer, SavedArchive archive, UnpackedBudget unpacked, LayerSpool spool, OuterEntryRules rules, CancellationToken cancellationToken)
    {
        await using var reader = new TarReader(outer, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            rules.Check(entry);
            if (entry is { EntryType: TarEntryType.RegularFile, DataStream: { } data })
            {
                await ReadFileAsync(entry.Name, data, entry.Length, archive, unpacked, spool, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // A file's kind is known only from its first bytes (OCI layouts name every blob by digest), so the
    // pipe peeks at them and then hands the whole file, unconsumed, to the reader that fits.
    private static async Task ReadFileAsync(
        string path, Stream data, long length, SavedArchive archive, UnpackedBudget unpacked, LayerSpool spool, CancellationToken cancellationToken)
    {
        var pipe = PipeReader.Create(data, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            var head = await PeekAsync(pipe, cancellationToken).ConfigureAwait(false);
            await using var content = pipe.AsStream(leaveOpen: true);
            var kind = Classify(head);
            switch (kind)
            {
                case FileKind.Json:
                    archive.MetadataBytes += length;
                    if (archive.MetadataBytes > MaxMetadataBytes)
                    {
                        throw new VettingLimitException($"The tarball's JSON metadata files add up to more than {MaxMetadataBytes} bytes.");
                    }

                    using (var json = new MemoryStream((int)length))
                    {
                        await content.CopyToAsync(json, cancellationToken).ConfigureAwait(false);
                        archive.Json[path] = json.ToArray();
                    }

                    break;
                case FileKind.Tar or FileKind.Gzip:
                    archive.Layers[path] = await LayerScanner.ScanAsync(content, kind == FileKind.Gzip, unpacked, spool, cancellationToken)
                        .ConfigureAwait(false);
                    break;
                case FileKind.Zstd:
                    archive.Layers[path] = LayerScan.Unsupported("it is zstd-compressed, which is not supported; save the image with gzip or uncompressed layers");
                    break;
                default:
                    archive.OtherFiles.Add(path);
                    break;
            }
        }
        finally
        {
            await pipe.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static async Task<byte[]> PeekAsync(PipeReader pipe, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= HeadBytes || result.IsCompleted)
            {
                var head = buffer.Slice(0, Math.Min(HeadBytes, buffer.Length)).ToArray();
                pipe.AdvanceTo(buffer.Start);
                return head;
            }

            pipe.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static FileKind Classify(byte[] head)
    {
        var firstText = Array.FindIndex(head, b => b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'));
        if (head is [0x1f, 0x8b, ..])
        {
            return FileKind.Gzip;
        }

        if (head is [0x28, 0xb5, 0x2f, 0xfd, ..])
        {
            return FileKind.Zstd;
        }

        // A tar header carries "ustar" at offset 257; an empty layer is all zero blocks.
        if ((head.Length == HeadBytes && head.AsSpan(257, TarMagic.Length).SequenceEqual(TarMagic)) || head.All(b => b == 0))
        {
            return FileKind.Tar;
        }

        return firstText >= 0 && head[firstText] is (byte)'{' or (byte)'[' ? FileKind.Json : FileKind.Other;
    }
}
