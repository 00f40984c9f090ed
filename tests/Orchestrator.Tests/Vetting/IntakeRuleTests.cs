using System.Formats.Tar;
using System.Security.Cryptography;
using Smcp.Orchestrator.Images.Vetting;

namespace Smcp.Orchestrator.Tests.Vetting;

/// <summary>The outer tarball's shape, content addressing and the image config rules added for issue 8.</summary>
public sealed class IntakeRuleTests
{
    private static Task AssertRejectedAsync(ImageTarBuilder image, string code, string path) => AssertRejectedAsync(image.Build(), code, path);

    private static async Task AssertRejectedAsync(byte[] tarball, string code, string path)
    {
        var outcome = await Vet.StreamAsync(new MemoryStream(tarball));

        Assert.That(outcome.Report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(outcome.Report), Does.Contain(code));
        Assert.That(outcome.Report.Findings.Single(f => f.Code == code).Path, Does.StartWith(path));
        Assert.That(outcome.Image, Is.Null);
    }

    [TestCase(TarEntryType.SymbolicLink)]
    [TestCase(TarEntryType.HardLink)]
    public Task A_manifest_reached_through_a_link_is_rejected_naming_the_link(TarEntryType link) =>
        AssertRejectedAsync(new ImageTarBuilder { ManifestThrough = link }.Layer(ImageTarBuilder.File("app/server")), FindingCodes.UnsafeLink, "manifest.json");

    [Test]
    public Task An_old_style_entry_named_like_a_folder_that_carries_data_is_rejected() =>
        AssertRejectedAsync(
            Vet.CleanImage().OuterEntry(new V7TarEntry(TarEntryType.V7RegularFile, "x/") { DataStream = new MemoryStream(new byte[1024]) }),
            FindingCodes.UnsupportedEntry, "x/");

    [TestCase("./manifest2.json")]
    [TestCase("a//b")]
    [TestCase("/abs")]
    [TestCase("dir/../file")]
    [TestCase("bad\u00e9name")]
    public Task A_name_docker_save_does_not_write_is_rejected(string name) =>
        AssertRejectedAsync(Vet.CleanImage().OuterEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream([1]) }),
            FindingCodes.UnsafePath, name);

    [Test]
    public Task A_pax_global_header_in_the_tarball_is_rejected() =>
        AssertRejectedAsync(Vet.CleanImage().OuterEntry(new PaxGlobalExtendedAttributesTarEntry(new Dictionary<string, string> { ["path"] = "manifest.json" })),
            FindingCodes.UnsupportedEntry, "/tmp/GlobalHead.");

    [Test]
    public Task A_layer_whose_diff_id_does_not_match_the_config_is_rejected_naming_the_layer()
    {
        var tarball = new ImageTarBuilder { FirstDiffId = "sha256:" + new string('0', 64) }.Layer(ImageTarBuilder.File("app/server")).Build();
        return AssertRejectedAsync(tarball, FindingCodes.DiffIdMismatch, LayerPath(tarball));
    }

    [Test]
    public Task A_config_not_named_by_its_digest_is_rejected_naming_it()
    {
        var wrong = new string('a', 64) + ".json";
        return AssertRejectedAsync(new ImageTarBuilder { ConfigName = wrong }.Layer(ImageTarBuilder.File("app/server")), FindingCodes.DigestMismatch, wrong);
    }

    [Test]
    public Task An_oci_blob_whose_bytes_are_not_its_name_is_rejected_naming_it()
    {
        // The gzip layer is stored as blobs/sha256/<its digest>; rename it (and the manifest's reference) to another digest.
        var tarball = new ImageTarBuilder().GzipLayer(ImageTarBuilder.File("app/server")).Build();
        var blob = LayerPath(tarball);
        var other = "blobs/sha256/" + new string('3', 64);
        return AssertRejectedAsync(Rename(tarball, blob, other), FindingCodes.DigestMismatch, other);
    }

    private static byte[] Rename(byte[] tarball, string from, string to)
    {
        using var output = new MemoryStream();
        using (var reader = new TarReader(new MemoryStream(tarball)))
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            while (reader.GetNextEntry(copyData: true) is { } entry)
            {
                var copy = new PaxTarEntry(entry.EntryType, entry.Name == from ? to : entry.Name) { DataStream = entry.DataStream };
                if (entry.Name == "manifest.json")
                {
                    using var text = new StreamReader(entry.DataStream!);
                    copy.DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text.ReadToEnd().Replace(from, to, StringComparison.Ordinal)));
                }

                writer.WriteEntry(copy);
            }
        }

        return output.ToArray();
    }

    [Test]
    public Task An_image_config_with_volumes_is_rejected_naming_the_config()
    {
        var tarball = Vet.CleanImage().Volume("/data").Build();
        return AssertRejectedAsync(tarball, FindingCodes.Volumes, ConfigPath(tarball));
    }

    [Test]
    public async Task The_volumes_finding_says_what_to_do()
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().Volume("/data").Build());

        Assert.That(report.Findings.Single().Message, Does.Contain("VOLUME /data").And.Contain("/tmp"));
    }

    [Test]
    public async Task A_clean_image_comes_out_with_its_config_digest_as_the_image_id_and_its_diff_ids()
    {
        var tarball = Vet.CleanImage().GzipLayer(ImageTarBuilder.File("app/more")).Build();

        var outcome = await Vet.StreamAsync(new MemoryStream(tarball));

        var configPath = ConfigPath(tarball);
        Assert.That(outcome.Report.Verdict, Is.EqualTo(Verdict.Accept));
        Assert.That(outcome.Image!.ImageId, Is.EqualTo("sha256:" + configPath[..64]));
        Assert.That(outcome.Report.ImageId, Is.EqualTo(outcome.Image.ImageId));
        Assert.That(outcome.Image.ConfigDigest, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(outcome.Image.Config))));
        Assert.That(outcome.Image.Layers, Has.Count.EqualTo(2));
    }

    internal static string LayerPath(byte[] tarball) =>
        Entries(tarball).First(e => e.EndsWith("/layer.tar", StringComparison.Ordinal) || e.StartsWith("blobs/", StringComparison.Ordinal));

    private static string ConfigPath(byte[] tarball) => Entries(tarball).First(e => e.EndsWith(".json", StringComparison.Ordinal) && e != "manifest.json");

    private static List<string> Entries(byte[] tarball)
    {
        using var reader = new TarReader(new MemoryStream(tarball));
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name);
        }

        return names;
    }
}
