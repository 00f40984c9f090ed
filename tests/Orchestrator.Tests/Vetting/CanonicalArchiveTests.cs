using System.Formats.Tar;
using Smcp.Orchestrator.Images;
using Smcp.Orchestrator.Images.Vetting;

namespace Smcp.Orchestrator.Tests.Vetting;

public sealed class CanonicalArchiveTests
{
    [Test]
    public async Task The_canonical_archive_holds_only_the_vetted_files_under_canonical_names_and_vets_to_the_same_image()
    {
        var tarball = Vet.CleanImage()
            .GzipLayer(ImageTarBuilder.File("app/more"))
            .OuterEntry(new PaxTarEntry(TarEntryType.RegularFile, "unlisted.txt") { DataStream = new MemoryStream([1, 2, 3]) })
            .Build();
        using var spool = new LayerSpool(Path.Combine(Path.GetTempPath(), $"smcp-canonical-test-{Guid.NewGuid():N}"));
        var vetted = (await new ImageVetter().VetAsync(new MemoryStream(tarball), VettingPolicy.Default, spool, CancellationToken.None)).Image!;

        using var canonical = new MemoryStream();
        await CanonicalArchive.WriteAsync(vetted, canonical, CancellationToken.None);

        canonical.Position = 0;
        var names = new List<(string Name, TarEntryType Type)>();
        using (var reader = new TarReader(canonical, leaveOpen: true))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                names.Add((entry.Name, entry.EntryType));
            }
        }

        var d0 = vetted.Layers[0].DiffId;
        var d1 = vetted.Layers[1].DiffId;
        Assert.That(names, Is.EqualTo(new[]
        {
            ($"{vetted.ConfigDigest}.json", TarEntryType.RegularFile),
            ($"{d0}/", TarEntryType.Directory), ($"{d0}/layer.tar", TarEntryType.RegularFile),
            ($"{d1}/", TarEntryType.Directory), ($"{d1}/layer.tar", TarEntryType.RegularFile),
            ("manifest.json", TarEntryType.RegularFile),
        }));
        canonical.Position = 0;
        var again = await Vet.StreamAsync(canonical);
        Assert.That(again.Report.Verdict, Is.EqualTo(Verdict.Accept));
        Assert.That(again.Report.ImageId, Is.EqualTo(vetted.ImageId));
        Assert.That(again.Report.RepoTags, Is.Empty);
    }
}
