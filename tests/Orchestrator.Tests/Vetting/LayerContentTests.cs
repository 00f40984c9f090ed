using System.Formats.Tar;
using Smcp.Orchestrator.Images.Vetting;

namespace Smcp.Orchestrator.Tests.Vetting;

public sealed class LayerContentTests
{
    [Test]
    public async Task A_clean_image_is_accepted_with_its_config_in_the_report()
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().Build());

        Assert.That(Vet.Codes(report), Is.EqualTo(Array.Empty<string>()));
        Assert.That(report.Verdict, Is.EqualTo(Verdict.Accept));
        Assert.That(report.LayerCount, Is.EqualTo(1));
        Assert.That(report.Cmd, Is.EqualTo(new[] { "/app/server", "--stdio" }));
        Assert.That(report.Entrypoint, Is.EqualTo(null));
        Assert.That(report.User, Is.EqualTo("65534:65534"));
        Assert.That(report.EnvNames, Is.EqualTo(new[] { "PATH" }));
        Assert.That(report.RepoTags, Is.EqualTo(new[] { "example/notes:1.0" }));
    }

    [Test]
    public async Task A_setuid_file_is_rejected_and_named()
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().Layer(ImageTarBuilder.File("usr/bin/su", "4755")).Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.SetuidFile }));
        Assert.That(Vet.Paths(report), Is.EqualTo(new[] { "usr/bin/su" }));
    }

    [Test]
    public async Task A_setgid_file_is_rejected_and_named()
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().Layer(ImageTarBuilder.File("usr/bin/wall", "2755")).Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.SetgidFile }));
        Assert.That(Vet.Paths(report), Is.EqualTo(new[] { "usr/bin/wall" }));
    }

    [Test]
    public async Task A_setgid_directory_is_accepted_as_debian_images_have_them()
    {
        var mail = new PaxTarEntry(TarEntryType.Directory, "var/mail/") { Mode = (UnixFileMode)Convert.ToInt32("2775", 8) };

        var report = await Vet.BytesAsync(Vet.CleanImage().Layer(mail).Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Accept));
    }

    [TestCase(TarEntryType.CharacterDevice, "dev/mem", FindingCodes.DeviceFile)]
    [TestCase(TarEntryType.BlockDevice, "dev/sda", FindingCodes.DeviceFile)]
    [TestCase(TarEntryType.Fifo, "run/pipe", FindingCodes.FifoFile)]
    public async Task A_device_node_or_fifo_is_rejected_and_named(TarEntryType type, string path, string code)
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().Layer(ImageTarBuilder.Special(type, path)).Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { code }));
        Assert.That(Vet.Paths(report), Is.EqualTo(new[] { path }));
    }

    [TestCase("../etc/cron.d/evil")]
    [TestCase("app/../../etc/cron.d/evil")]
    [TestCase("/etc/cron.d/evil")]
    public async Task A_layer_path_outside_the_root_is_rejected(string path)
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().Layer(ImageTarBuilder.File(path, "644")).Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.UnsafePath }));
        Assert.That(Vet.Paths(report), Is.EqualTo(new[] { path }));
    }

    [Test]
    public async Task A_hard_link_escaping_the_root_is_rejected()
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().Layer(ImageTarBuilder.HardLink("app/shadow", "../../etc/shadow")).Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.UnsafeLink }));
        Assert.That(Vet.Paths(report), Is.EqualTo(new[] { "app/shadow" }));
    }

    [Test]
    public async Task A_hard_link_inside_the_root_is_accepted()
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().Layer(ImageTarBuilder.HardLink("app/server2", "app/server")).Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Accept));
    }

    [Test]
    public async Task A_setuid_file_in_a_gzip_compressed_layer_is_found()
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().GzipLayer(ImageTarBuilder.File("opt/tool", "4755")).Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.SetuidFile }));
        Assert.That(Vet.Paths(report), Is.EqualTo(new[] { "opt/tool" }));
        Assert.That(report.LayerCount, Is.EqualTo(2));
    }

    [Test]
    public async Task A_clean_gzip_compressed_layer_is_accepted()
    {
        var report = await Vet.BytesAsync(new ImageTarBuilder().GzipLayer(ImageTarBuilder.File("app/server")).Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Accept));
        Assert.That(report.LayerCount, Is.EqualTo(1));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Findings_do_not_depend_on_whether_the_manifest_comes_first_or_last(bool manifestFirst)
    {
        var image = new ImageTarBuilder { ManifestFirst = manifestFirst }
            .Layer(ImageTarBuilder.File("app/server"))
            .GzipLayer(ImageTarBuilder.File("usr/bin/su", "4755"));

        var report = await Vet.BytesAsync(image.Build());

        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.SetuidFile }));
        Assert.That(report.LayerCount, Is.EqualTo(2));
        Assert.That(report.RepoTags, Is.EqualTo(new[] { "example/notes:1.0" }));
    }

    [Test]
    public async Task Thousands_of_setuid_files_give_a_short_report_that_still_counts_them()
    {
        var entries = Enumerable.Range(0, 1000).Select(i => ImageTarBuilder.File($"bin/s{i}", "4755")).ToArray();

        var report = await Vet.BytesAsync(new ImageTarBuilder().Layer(entries).Build());

        Assert.That(report.Findings.Count, Is.EqualTo(21));
        Assert.That(report.Findings[^1].Message, Is.EqualTo("980 more setuid-file findings like the ones above are not listed."));
    }
}
