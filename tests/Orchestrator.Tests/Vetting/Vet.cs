using System.Formats.Tar;
using Smcp.Orchestrator.Images.Vetting;

namespace Smcp.Orchestrator.Tests.Vetting;

internal static class Vet
{
    public static async Task<VettingReport> BytesAsync(byte[] tarball, VettingPolicy? policy = null) =>
        (await StreamAsync(new MemoryStream(tarball), policy)).Report;

    /// <summary>Vets with a private layer spool that is deleted before this returns (the outcome's layer files are gone).</summary>
    public static async Task<VettingOutcome> StreamAsync(Stream tarball, VettingPolicy? policy = null, CancellationToken cancellationToken = default)
    {
        using var spool = new LayerSpool(Path.Combine(Path.GetTempPath(), $"smcp-vet-test-{Guid.NewGuid():N}"));
        return await new ImageVetter().VetAsync(tarball, policy ?? VettingPolicy.Default, spool, cancellationToken);
    }

    public static string[] Codes(VettingReport report) => report.Findings.Select(f => f.Code).ToArray();

    public static string?[] Paths(VettingReport report) => report.Findings.Select(f => f.Path).ToArray();

    /// <summary>A layer with what a small server image has: folders, a program, a symlink with an absolute target, a sticky /tmp.</summary>
    public static ImageTarBuilder CleanImage() => new ImageTarBuilder().Layer(
        new PaxTarEntry(TarEntryType.Directory, "app/") { Mode = (UnixFileMode)Convert.ToInt32("755", 8) },
        ImageTarBuilder.File("app/server"),
        new PaxTarEntry(TarEntryType.SymbolicLink, "bin") { LinkName = "/usr/bin" },
        new PaxTarEntry(TarEntryType.Directory, "tmp/") { Mode = (UnixFileMode)Convert.ToInt32("1777", 8) },
        ImageTarBuilder.File("etc/passwd", "644", "nobody:x:65534:65534::/:/sbin/nologin\n"));
}
