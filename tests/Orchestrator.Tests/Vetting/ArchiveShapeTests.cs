using System.Formats.Tar;
using Smcp.Orchestrator.Images.Vetting;

namespace Smcp.Orchestrator.Tests.Vetting;

public sealed class ArchiveShapeTests
{
    /// <summary>The clean image's entries, then one more entry under an existing (or '..'-aliased) path with other content.</summary>
    private static byte[] WithExtraEntry(Func<string, string> pathOfCopy)
    {
        var clean = Vet.CleanImage().Build();
        using var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            using var reader = new TarReader(new MemoryStream(clean));
            string? layer = null;
            while (reader.GetNextEntry(copyData: true) is { } entry)
            {
                layer ??= entry.Name.EndsWith("/layer.tar", StringComparison.Ordinal) ? entry.Name : null;
                writer.WriteEntry(entry);
            }

            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, pathOfCopy(layer!)) { DataStream = new MemoryStream("not the vetted layer"u8.ToArray()) });
        }

        return output.ToArray();
    }

    [TestCase("duplicate")]
    [TestCase("dot-dot alias")]
    public async Task A_path_held_twice_or_through_dot_dot_is_rejected_because_the_engine_would_load_another_copy(string how)
    {
        var tarball = WithExtraEntry(layer => how == "duplicate" ? layer : layer.Split('/')[0] + "/../" + layer);

        var report = await Vet.BytesAsync(tarball);

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Does.Contain(FindingCodes.UnsafePath));
    }

    [Test]
    public async Task More_layers_than_the_policy_allows_is_rejected()
    {
        var image = new ImageTarBuilder();
        for (var i = 0; i < 5; i++)
        {
            image.Layer(ImageTarBuilder.File($"layer{i}"));
        }

        var report = await Vet.BytesAsync(image.Build(), VettingPolicy.Default with { MaxLayers = 4 });

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.TooManyLayers }));
        Assert.That(report.LayerCount, Is.EqualTo(5));
    }

    [Test]
    public async Task A_tarball_over_the_byte_limit_is_rejected_without_reading_past_it()
    {
        var tarball = Vet.CleanImage().Layer(ImageTarBuilder.File("app/big", "644", new string('x', 200_000))).Build();
        var input = new MemoryStream(tarball);

        var report = (await Vet.StreamAsync(input, VettingPolicy.Default with { MaxBytes = 50_000 })).Report;

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.TooLarge }));
        Assert.That(report.TotalBytes, Is.EqualTo(50_001));
        Assert.That(input.Position, Is.EqualTo(50_001));
    }

    [Test]
    public async Task A_gzip_layer_that_unpacks_past_the_byte_limit_is_rejected()
    {
        var image = new ImageTarBuilder().GzipLayer(ImageTarBuilder.File("app/zeros", "644", new string('\0', 2_000_000)));
        var tarball = image.Build();

        var report = await Vet.BytesAsync(tarball, VettingPolicy.Default with { MaxBytes = 1_000_000 });

        Assert.That(tarball.Length < 1_000_000, Is.EqualTo(true));
        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.TooLarge }));
    }

    [Test]
    public async Task A_repeated_layer_stored_as_a_symlink_is_rejected_naming_the_link()
    {
        // docker save 20.10 stores a repeated layer as a link; links in the outer tarball are refused outright, because
        // which bytes a link names is where readers of one tarball can disagree.
        var image = new ImageTarBuilder().Layer(ImageTarBuilder.File("app/server")).RepeatLastLayer();

        var report = await Vet.BytesAsync(image.Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.UnsafeLink }));
        Assert.That(Vet.Paths(report), Is.EqualTo(new[] { "repeat0/layer.tar" }));
    }

    [Test]
    public void Vetting_stops_when_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.CatchAsync<OperationCanceledException>(async () =>
            await Vet.StreamAsync(new MemoryStream(Vet.CleanImage().Build()), cancellationToken: cancelled.Token));
    }

    [Test]
    public async Task A_tarball_without_manifest_is_rejected()
    {
        var report = await Vet.BytesAsync(new ImageTarBuilder { IncludeManifest = false }.Layer(ImageTarBuilder.File("app/server")).Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.ManifestMissing }));
    }

    [Test]
    public async Task A_manifest_listing_a_layer_the_tarball_lacks_is_rejected_naming_it()
    {
        var image = Vet.CleanImage().ManifestAlsoLists("0123abcd/layer.tar");

        var report = await Vet.BytesAsync(image.Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.LayerMissing, FindingCodes.ConfigInvalid }));
        Assert.That(report.Findings[0].Path, Is.EqualTo("0123abcd/layer.tar"));
    }

    [Test]
    public async Task Random_bytes_are_a_corrupt_archive()
    {
        var bytes = new byte[64 * 1024];
        new Random(42).NextBytes(bytes);

        var report = await Vet.BytesAsync(bytes);

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.CorruptArchive }));
    }

    [Test]
    public async Task An_empty_upload_is_rejected_as_empty()
    {
        var report = await Vet.BytesAsync([]);

        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.CorruptArchive }));
        Assert.That(report.Findings[0].Message, Is.EqualTo(
            "The upload is not a readable docker save tarball: it is empty. Upload the output of `docker save IMAGE`."));
    }

    [Test]
    public async Task A_tarball_cut_in_half_is_rejected_as_truncated()
    {
        var tarball = Vet.CleanImage().Layer(ImageTarBuilder.File("app/data", "644", new string('x', 20_000))).Build();

        var report = await Vet.BytesAsync(tarball[..(tarball.Length / 2)]);

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.CorruptArchive }));
        Assert.That(report.Findings[0].Message.Contains("ends in the middle", StringComparison.Ordinal), Is.EqualTo(true));
    }

    [Test]
    public async Task A_broken_gzip_layer_is_rejected_naming_the_layer()
    {
        var tarball = new ImageTarBuilder().GzipLayer(ImageTarBuilder.File("app/server", "755", new string('y', 5000))).Build();
        var text = System.Text.Encoding.Latin1.GetString(tarball);
        var gzipStart = text.IndexOf("\u001f\u008b", StringComparison.Ordinal);
        for (var i = gzipStart + 20; i < gzipStart + 60; i++)
        {
            tarball[i] ^= 0x5a;
        }

        var report = await Vet.BytesAsync(tarball);

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.CorruptArchive }));
        Assert.That(report.Findings[0].Path!.StartsWith("blobs/sha256/", StringComparison.Ordinal), Is.EqualTo(true));
    }

    [Test]
    public async Task A_zstd_compressed_layer_is_rejected_as_unsupported()
    {
        byte[] zstd = [0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58, 0x01, 0x00, 0x00];

        var report = await Vet.BytesAsync(new ImageTarBuilder().RawLayer(zstd).Build());

        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.UnsupportedLayer }));
    }

    [Test]
    public async Task A_layer_that_is_not_an_archive_is_rejected_as_corrupt()
    {
        var report = await Vet.BytesAsync(new ImageTarBuilder().RawLayer("just some text, not a tar"u8.ToArray()).Build());

        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.CorruptArchive }));
    }

    [Test]
    public async Task A_manifest_with_two_images_is_rejected()
    {
        var tarball = ReplaceManifest(Vet.CleanImage().Build(), """[{"Config":"a.json","Layers":[]},{"Config":"b.json","Layers":[]}]""");

        var report = await Vet.BytesAsync(tarball);

        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.MultipleImages }));
    }

    [Test]
    public async Task A_manifest_that_is_not_a_manifest_is_rejected()
    {
        var report = await Vet.BytesAsync(ReplaceManifest(Vet.CleanImage().Build(), """{"Config": 12}"""));

        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.ManifestInvalid }));
    }

    private static byte[] ReplaceManifest(byte[] tarball, string manifest)
    {
        using var input = new MemoryStream(tarball);
        using var output = new MemoryStream();
        using (var reader = new System.Formats.Tar.TarReader(input))
        using (var writer = new System.Formats.Tar.TarWriter(output, leaveOpen: true))
        {
            while (reader.GetNextEntry(copyData: true) is { } entry)
            {
                if (entry.Name == "manifest.json")
                {
                    entry.DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(manifest));
                }

                writer.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }

    [Test]
    public async Task A_tarball_with_more_entries_than_docker_save_writes_for_its_layer_limit_is_refused()
    {
        var policy = VettingPolicy.Default with { MaxLayers = 4 };
        var image = Vet.CleanImage();
        for (var i = 0; i <= OuterEntryRules.MaxEntriesFor(policy.MaxLayers); i++)
        {
            // Each would be one more spool file and scan record: refused by their number, before their bytes.
            image.OuterEntry(new PaxTarEntry(TarEntryType.RegularFile, $"extra{i}") { DataStream = new MemoryStream(new byte[1]) });
        }

        var report = await Vet.BytesAsync(image.Build(), policy);

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.UnsupportedEntry }));
        Assert.That(report.Findings.Single().Message, Does.Contain($"more than {OuterEntryRules.MaxEntriesFor(4)} entries"));
    }

    [Test]
    public async Task A_tarball_entry_with_a_name_longer_than_docker_save_writes_is_refused()
    {
        var name = new string('a', OuterEntryRules.MaxNameLength + 1);
        var tarball = Vet.CleanImage().OuterEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(new byte[1]) }).Build();

        var report = await Vet.BytesAsync(tarball);

        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.UnsafePath }));
        Assert.That(report.Findings.Single().Message, Does.Contain($"longer than {OuterEntryRules.MaxNameLength} characters"));
    }
}
