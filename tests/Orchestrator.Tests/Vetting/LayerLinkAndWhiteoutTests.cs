using System.Formats.Tar;
using Smcp.Orchestrator.Images.Vetting;

namespace Smcp.Orchestrator.Tests.Vetting;

/// <summary>Inside a layer: links that escape, writes through a symlink, whiteout abuse and entry kinds the vetter does not understand.</summary>
public sealed class LayerLinkAndWhiteoutTests
{
    private static async Task AssertLayerRejectedAsync(string code, string path, params TarEntry[] entries)
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().Layer(entries).Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { code }));
        Assert.That(Vet.Paths(report), Is.EqualTo(new[] { path }));
    }

    private static TarEntry Symlink(string path, string target) => new PaxTarEntry(TarEntryType.SymbolicLink, path) { LinkName = target };

    private static TarEntry Empty(string path) => new PaxTarEntry(TarEntryType.RegularFile, path);

    [Test]
    public Task A_write_through_a_directory_symlink_earlier_in_the_layer_is_rejected_naming_the_entry() =>
        AssertLayerRejectedAsync(FindingCodes.UnsafePath, "etc2/passwd", Symlink("etc2", "/etc"), ImageTarBuilder.File("etc2/passwd", "644"));

    [Test]
    public async Task A_symlink_replaced_by_a_folder_is_written_into_safely()
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().Layer(
            Symlink("data", "/etc"), new PaxTarEntry(TarEntryType.Directory, "data/"), ImageTarBuilder.File("data/file", "644")).Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Accept));
    }

    [TestCase("a/b", "../../etc")]
    [TestCase("link", "..")]
    public Task A_symlink_that_climbs_out_of_the_root_is_rejected(string path, string target) =>
        AssertLayerRejectedAsync(FindingCodes.UnsafeLink, path, Symlink(path, target));

    [Test]
    public async Task Symlinks_that_stay_inside_the_root_are_accepted()
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().Layer(Symlink("usr/lib/x", "../../lib/x"), Symlink("sbin", "/usr/sbin")).Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Accept));
    }

    [Test]
    public async Task A_whiteout_and_an_opaque_marker_as_builders_write_them_are_accepted()
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().Layer(Empty("app/.wh.old"), Empty("var/.wh..wh..opq")).Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Accept));
    }

    [TestCase("app/.wh..")]
    [TestCase(".wh..")]
    [TestCase("app/.wh.")]
    [TestCase("app/.wh..wh.plnk")]
    [TestCase(".wh.app/file")]
    public Task A_whiteout_that_names_dot_dot_or_is_not_a_plain_whiteout_is_rejected(string path) =>
        AssertLayerRejectedAsync(FindingCodes.UnsafeWhiteout, path, Empty(path));

    [Test]
    public Task A_whiteout_that_carries_data_is_rejected() =>
        AssertLayerRejectedAsync(FindingCodes.UnsafeWhiteout, "app/.wh.old", ImageTarBuilder.File("app/.wh.old", "644", "data"));

    [Test]
    public Task An_opaque_marker_that_is_a_folder_is_rejected() =>
        AssertLayerRejectedAsync(FindingCodes.UnsafeWhiteout, "var/.wh..wh..opq/", new PaxTarEntry(TarEntryType.Directory, "var/.wh..wh..opq/"));

    [Test]
    public Task An_old_style_layer_entry_named_like_a_folder_is_rejected()
    {
        // Go's tar reader takes this entry for a folder and reads its data as the next entries: here a setuid file .NET never sees.
        using var hidden = new MemoryStream();
        using (var writer = new TarWriter(hidden, TarEntryFormat.V7, leaveOpen: true))
        {
            writer.WriteEntry(new V7TarEntry(TarEntryType.V7RegularFile, "hidden") { Mode = (UnixFileMode)Convert.ToInt32("4755", 8), DataStream = new MemoryStream([1]) });
        }

        // A ustar entry first: a layer is known for a tar by the magic in its first header.
        return AssertLayerRejectedAsync(FindingCodes.UnsupportedEntry, "x/", ImageTarBuilder.File("app/first"),
            new V7TarEntry(TarEntryType.V7RegularFile, "x/") { DataStream = new MemoryStream(hidden.ToArray()[..1024]) });
    }

    [Test]
    public async Task A_layer_entry_of_a_kind_the_vetter_does_not_understand_is_rejected()
    {
        var report = await Vet.BytesAsync(Vet.CleanImage().Layer(
            new PaxGlobalExtendedAttributesTarEntry(new Dictionary<string, string> { ["comment"] = "x" })).Build());

        Assert.That(report.Verdict, Is.EqualTo(Verdict.Reject));
        Assert.That(report.Findings.Single(f => f.Code == FindingCodes.UnsupportedEntry).Message, Does.Contain("GlobalExtendedAttributes"));
    }

    [Test]
    public Task A_write_through_a_hard_link_to_a_directory_symlink_is_rejected() =>
        AssertLayerRejectedAsync(FindingCodes.UnsafePath, "b/passwd", Symlink("a", "/etc"),
            new PaxTarEntry(TarEntryType.HardLink, "b") { LinkName = "a" }, ImageTarBuilder.File("b/passwd", "644"));

    [Test]
    public Task A_name_longer_than_path_max_is_refused_before_the_other_rules() =>
        AssertLayerRejectedAsync(FindingCodes.UnsupportedEntry, new string('a', 300) + "…", ImageTarBuilder.File(new string('a', LayerEntryRules.MaxNameLength + 1), "644"));

    [Test]
    public async Task Deep_paths_next_to_symlinks_are_told_apart_from_writes_through_them()
    {
        // 2,000 entries 2,045 folders deep (each name near PATH_MAX), beside a symlink that shares their first folder.
        var deep = string.Concat(Enumerable.Repeat("a/", 2045));
        var entries = new List<TarEntry> { Symlink("link", "/etc"), Symlink("a/b", "c") };
        entries.AddRange(Enumerable.Range(0, 2000).Select(i => ImageTarBuilder.File(deep + i.ToString(System.Globalization.CultureInfo.InvariantCulture), "644")));
        entries.Add(ImageTarBuilder.File("a/b/" + deep, "644"));

        var report = await Vet.BytesAsync(Vet.CleanImage().Layer([.. entries]).Build());

        Assert.That(Vet.Codes(report), Is.EqualTo(new[] { FindingCodes.UnsafePath }), string.Join("; ", report.Findings.Select(f => f.Message)));
        Assert.That(report.Findings.Single().Message, Does.Contain("through 'a/b'"));
    }
}
